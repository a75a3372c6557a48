from django.urls import path

from . import views

app_name = "kiosk"
urlpatterns = [
    path("", views.kiosk_home, name="home"),
    path("items/", views.kiosk_items, name="items"),
    path("items/<str:code>/", views.kiosk_guide, name="guide"),
]
