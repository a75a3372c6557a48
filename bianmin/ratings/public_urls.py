from django.urls import path

from . import public_views as views

app_name = "ratings_public"
urlpatterns = [
    path("window/<str:key>/", views.tablet, name="tablet"),
    path("window/<str:key>/now/", views.tablet_now, name="tablet_now"),
    path("window/<str:key>/submit/", views.tablet_submit, name="tablet_submit"),
    path("<str:tracking_number>/", views.rate, name="rate"),
    path("<str:tracking_number>/fix/", views.rate_fix, name="rate_fix"),
]
