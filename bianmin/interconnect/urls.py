from django.urls import path

from . import views

app_name = "interconnect"

urlpatterns = [
    path("", views.delivery_list, name="deliveries"),
    path("<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("<int:pk>/resend/", views.delivery_resend_view, name="delivery_resend"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook_toggle"),
]
