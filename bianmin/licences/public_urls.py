from django.urls import path

from . import public_views

app_name = "licences_public"
urlpatterns = [
    path("<int:pk>", public_views.verify, name="verify"),
]
