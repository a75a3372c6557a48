"""The staff pages of cases, mounted at /workbench/cases/."""

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_queue, name="queue"),
    path("counts/", views.case_queue_counts, name="queue_counts"),
    path("new/", views.case_intake, name="intake"),
    path("new/check-id/", views.intake_check_id, name="intake_check_id"),
    path("ledger/", views.site_ledger, name="ledger"),
    path("inquiries/", views.inquiry_list, name="inquiries"),
    path("inquiries/<int:pk>/answer/", views.inquiry_answer_view, name="inquiry_answer"),
    path("inquiries/<int:pk>/handover/", views.inquiry_handover_view, name="inquiry_handover"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/notices/<int:notice_pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:pk>/materials/<int:material_pk>/", views.material_file, name="material_file"),
    path("<int:pk>/<slug:action>/", views.case_action, name="action"),
]
