from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("<str:code>/", views.item_guide, name="guide"),
    path("<str:code>/v<int:number>/", views.item_guide, name="guide_version"),
    path("<str:code>/card.pdf", views.item_card, name="card"),
    path("<str:code>/qr.svg", views.item_qr, name="qr"),
    path("<str:code>/v<int:number>/materials/<int:material_id>/<str:kind>/", views.material_file, name="material_file"),
]
