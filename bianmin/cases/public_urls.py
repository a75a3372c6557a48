from django.urls import path

from . import public_views as views

app_name = "cases_public"
urlpatterns = [
    path("apply/<str:code>/", views.application_form, name="apply"),
    path("apply/<str:code>/phone/", views.application_phone, name="apply_phone"),
    path("submitted/<str:tracking_number>/", views.application_submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/forget/", views.track_forget, name="track_forget"),
    path("track/<str:tracking_number>/", views.track_case, name="track_case"),
    path("track/<str:tracking_number>/notices/<int:notice_id>.pdf", views.track_notice, name="track_notice"),
    path("track/<str:tracking_number>/withdraw/", views.track_withdraw, name="track_withdraw"),
]
