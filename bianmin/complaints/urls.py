from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("mine/", views.complaint_list_mine, name="mine"),
    path("notices/", views.public_notice_list, name="notices"),
    path("identity-views/", views.identity_view_list, name="identity_views"),
    path("new/", views.complaint_new, name="new"),
    path("import/", views.work_order_import, name="import"),
    path("import/template/", views.work_order_template, name="import_template"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/<slug:move>/", views.complaint_move, name="move"),
]
