"""Interconnection (互联互通): what leaves the platform for other systems — the event feed, webhooks and the upward
report to the city's platform in the national codes — and what comes in from them (imports of cases)."""
