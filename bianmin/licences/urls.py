from django.urls import path

from . import views

app_name = "licences"
urlpatterns = [
    path("", views.licence_registry_page, name="registry"),
    path("<int:pk>/", views.licence_detail, name="detail"),
    path("<int:pk>/pdf/", views.licence_pdf, name="pdf"),
    path("<int:pk>/<str:move>/", views.licence_move, name="move"),
]
