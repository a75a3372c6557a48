from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("sites/", views.site_list, name="sites"),
    path("deadline/", views.deadline_calculator, name="deadline"),
    path("ratings/", views.rating_results, name="ratings"),
]
