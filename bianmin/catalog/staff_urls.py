from django.urls import path

from . import staff_views

app_name = "catalog_staff"
urlpatterns = [
    path("excel/", staff_views.catalog_excel, name="excel"),
    path("excel/export/", staff_views.catalog_export, name="excel_export"),
    path("excel/template/", staff_views.catalog_template_download, name="excel_template"),
    path("imports/<int:pk>/", staff_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", staff_views.import_status, name="import_status"),
]
