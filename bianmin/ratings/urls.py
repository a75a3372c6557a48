"""The staff pages of 好差评, mounted at /workbench/ratings/."""

from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("", views.rectification_list, name="rectifications"),
    path("<int:pk>/", views.rectification_detail, name="rectification"),
    path("<int:pk>/appeals/<int:appeal_id>/evidence/", views.appeal_evidence, name="appeal_evidence"),
    path("<int:pk>/<slug:action>/", views.rectification_action, name="rectification_action"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("figures/", views.figures, name="figures"),
    path("tablets/", views.tablets, name="tablets"),
    path("prompt/<int:case_id>/", views.prompt, name="prompt"),
]
