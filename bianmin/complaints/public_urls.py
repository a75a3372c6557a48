from django.urls import path

from . import public_views as views

app_name = "complaints_public"
urlpatterns = [
    path("", views.complaint_form, name="new"),
    path("kiosk/", views.complaint_form_kiosk, name="kiosk"),
    path("submitted/<str:number>/", views.complaint_submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.track_complaint, name="track_complaint"),
    path("track/<str:number>/rate/", views.track_rate, name="track_rate"),
]
