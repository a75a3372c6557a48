"""Supervision pages, one module per area: monitor (live monitor, yellow thresholds), alerts (feed, rules,
inbox), orders (supervision orders), accountability, audit_chain (its status), personal_data_views, case_box (the box
on the staff case page); _common holds what the pages of orders, accountability and personal-data views share."""
