"""Every supervision read a permission limits, one module per area (alerts, monitor, orders)."""
