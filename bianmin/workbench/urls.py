from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.workbench_home, name="home"),
    path("sites/", views.site_list, name="sites"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
]
