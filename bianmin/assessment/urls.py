from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("new/", views.scheme_new, name="scheme_new"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/items/", views.scheme_item_new, name="item_new"),
    path("<int:pk>/manual/", views.manual_score, name="manual_score"),
    path("<int:pk>/runs/", views.run_new, name="run_new"),
    path("<int:pk>/<slug:move>/", views.scheme_move, name="scheme_move"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/publish/", views.run_publish_view, name="run_publish"),
    path("runs/<int:pk>/ranking.xlsx", views.run_excel, name="run_excel"),
    path("runs/<int:pk>/report.pdf", views.run_pdf, name="run_pdf"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/report.pdf", views.result_pdf, name="result_pdf"),
    path("results/<int:pk>/recommendation.pdf", views.recommendation_pdf, name="recommendation_pdf"),
    path("results/<int:pk>/recommendation/", views.recommendation_new, name="recommendation_new"),
    path("results/<int:pk>/objection/", views.objection_new, name="objection_new"),
    path("objections/<int:pk>/answer/", views.objection_answer_view, name="objection_answer"),
]
