from django.urls import path

from .views import accountability, alerts, audit_chain, monitor, orders, personal_data_views

app_name = "supervision"

urlpatterns = [
    # Live monitor and yellow thresholds (views/monitor.py)
    path("", monitor.monitor, name="monitor"),
    path("live/", monitor.monitor_live, name="monitor_live"),
    path("thresholds/", monitor.thresholds, name="thresholds"),
    path("thresholds/<int:pk>/delete/", monitor.threshold_delete, name="threshold_delete"),
    # Alerts feed, rule settings, staff inbox (views/alerts.py)
    path("alerts/", alerts.alert_feed, name="alerts"),
    path("alerts/sweep/", alerts.alert_sweep_now, name="alert_sweep"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/<slug:action>/", alerts.alert_action, name="alert_action"),
    path("rules/", alerts.rule_list, name="rules"),
    path("inbox/", alerts.inbox, name="inbox"),
    path("inbox/read-all/", alerts.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", alerts.inbox_read, name="inbox_read"),
    # Supervision orders (views/orders.py), accountability (views/accountability.py), the audit chain
    # (views/audit_chain.py), personal-data views (views/personal_data_views.py)
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/<slug:action>/", orders.order_action, name="order_action"),
    path("accountability/", accountability.accountability_list, name="accountability"),
    path("accountability/new/", accountability.accountability_new, name="accountability_new"),
    path("accountability/<int:pk>/", accountability.accountability_detail, name="accountability_detail"),
    path("accountability/<int:pk>/annul/", accountability.accountability_annul, name="accountability_annul"),
    path("audit/", audit_chain.audit_status, name="audit"),
    path("audit/verify/", audit_chain.audit_verify, name="audit_verify"),
    path("data-views/", personal_data_views.data_view_list, name="data_views"),
]
