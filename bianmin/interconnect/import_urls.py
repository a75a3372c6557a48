from django.urls import path

from . import import_views

app_name = "case_imports"
urlpatterns = [
    path("cases/", import_views.case_import, name="cases"),
]
