"""An object's audit events as a person reads them on its page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def event_rows(events: Iterable, labels: Mapping[str, str]) -> list[dict]:
    """When, who (full name), what (``labels`` turns the chain's stable action codes into words), and the reason or
    note given."""
    rows = []
    for event in events:
        actor = event.actor.get_full_name() if event.actor else ""
        payload = event.payload or {}
        rows.append(
            {
                "at": event.occurred_at,
                "actor": actor or event.actor_label,
                "label": labels.get(event.action, event.action),
                "detail": payload.get("reason") or payload.get("note") or "",
            }
        )
    return rows
