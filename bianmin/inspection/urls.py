from django.urls import path

from . import views

app_name = "inspection"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:round_id>/<str:move>/", views.round_move, name="round_move"),
    path("rounds/<int:round_id>/sites/<int:site_id>/", views.site_result, name="site"),
    path("rounds/<int:round_id>/sites/<int:site_id>/score/", views.score_form, name="score"),
    path("rounds/<int:round_id>/sites/<int:site_id>/sync/", views.score_sync, name="sync"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("rectifications/<int:pk>/rectify/", views.rectify, name="rectify"),
]
