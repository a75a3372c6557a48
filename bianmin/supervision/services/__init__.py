"""Every write of electronic supervision, one module per area.

Modules: alerts, thresholds, orders, accountability, data_views.
"""
