"""Every write of electronic supervision, one module per area (alerts, thresholds, orders, accountability, data_views)."""
