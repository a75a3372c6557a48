from django.urls import path

from .views import alerts, monitor, orders

app_name = "supervision"

urlpatterns = [
    # Live monitor and yellow thresholds (views/monitor.py)
    path("", monitor.not_built, name="monitor"),
    path("thresholds/", monitor.not_built, name="thresholds"),
    # Alerts feed, rule settings, staff inbox (views/alerts.py)
    path("alerts/", alerts.not_built, name="alerts"),
    path("rules/", alerts.not_built, name="rules"),
    path("inbox/", alerts.not_built, name="inbox"),
    # Supervision orders, accountability, audit chain, personal-data views (views/orders.py)
    path("orders/", orders.not_built, name="orders"),
    path("accountability/", orders.not_built, name="accountability"),
    path("audit/", orders.not_built, name="audit"),
    path("data-views/", orders.not_built, name="data_views"),
]
