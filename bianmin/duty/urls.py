from django.urls import path

from . import views

app_name = "duty"
urlpatterns = [
    path("", views.roster_sites, name="sites"),
    path("<int:site_id>/", views.roster_week, name="week"),
    path("<int:site_id>/shifts/", views.shift_set, name="shift_set"),
    path("<int:site_id>/shifts/<int:pk>/remove/", views.shift_remove, name="shift_remove"),
    path("<int:site_id>/shifts/<int:pk>/swap/", views.shift_swap, name="shift_swap"),
    path("<int:site_id>/copy/", views.week_copy, name="week_copy"),
]
