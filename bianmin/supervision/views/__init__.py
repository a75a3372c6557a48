"""Supervision pages, one module per area: monitor (live monitor, yellow thresholds), alerts (feed, rules,
inbox), orders (supervision orders, accountability, audit-chain status, personal-data views), case_box (the box
on the staff case page)."""
