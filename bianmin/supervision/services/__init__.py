"""Every write of electronic supervision, one module per area.

Modules: alerts, thresholds, orders, accountability (the log of supervisors' views of personal data is
cases.data_views: the case pages write it).
"""
