"""The staff pages of interconnection: the outbound queue and its dead letters, a delivery's attempts and re-send,
the reconciliations, and the webhook endpoints. Thin: every write is a service (delivery.py, webhooks.py)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.core.errors import DomainError
from bianmin.core.masking import mask_applicant, mask_id_number
from bianmin.core.pagination import CappedPaginator
from bianmin.org.permissions import staff_required

from .access import may_manage_interconnect, may_read_interconnect
from .delivery import delivery_resend
from .models import UPWARD, Delivery, Reconciliation, WebhookEndpoint
from .reporting import reported_up_to, upward_enabled
from .webhooks import WEBHOOK_EVENT_TYPES, webhook_register, webhook_set_active

PAGE_SIZE = 50
RECONCILIATIONS_SHOWN = 10


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _destinations() -> list[tuple[str, str]]:
    choices = [(UPWARD, _("Upper-level platform"))]
    choices += [(endpoint.destination, endpoint.name) for endpoint in WebhookEndpoint.objects.order_by("name", "pk")]
    return choices


@staff_required
@require_GET
def delivery_list(request):
    """The outbound queue: every delivery, newest first, by destination and state (the dead letters are a state)."""
    _require(may_read_interconnect(request.user))
    destinations = _destinations()
    destination = request.GET.get("destination", "")
    state = request.GET.get("state", "")
    listed = Delivery.objects.only(
        "message_id",
        "destination",
        "message_type",
        "code",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    ).order_by("-created_at", "-id")
    if destination in dict(destinations):
        listed = listed.filter(destination=destination)
    if state in Delivery.State.values:
        listed = listed.filter(state=state)
    page = CappedPaginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(destinations)
    context = {
        "page": page,
        "rows": [(delivery, names.get(delivery.destination, delivery.destination)) for delivery in page],
        "destinations": destinations,
        "states": Delivery.State.choices,
        "destination": destination,
        "state": state,
        "reconciliations": list(Reconciliation.objects.all()[:RECONCILIATIONS_SHOWN]),
        "upward_enabled": upward_enabled(),
        "reported_up_to": reported_up_to(),
        "may_manage": may_manage_interconnect(request.user),
    }
    return TemplateResponse(request, "interconnect/deliveries.html", context)


@staff_required
@require_GET
def delivery_detail(request, pk: int):
    """One delivery: its body as sent, its signature and every attempt with the receiver's answer."""
    _require(may_read_interconnect(request.user))
    delivery = get_object_or_404(Delivery, pk=pk)
    may_manage = may_manage_interconnect(request.user)
    body = dict(delivery.body)
    if not may_manage:
        # Supervisors read the queue to check it works, not who applied: the applicant is masked for them.
        if "applicant_name" in body:
            body["applicant_name"] = mask_applicant(body["applicant_name"], body.get("applicant_id_type", ""))
        if "applicant_id_number" in body:
            body["applicant_id_number"] = mask_id_number(body["applicant_id_number"])
    context = {
        "delivery": delivery,
        "destination_name": dict(_destinations()).get(delivery.destination, delivery.destination),
        "body": json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True),
        "attempts": list(delivery.attempt_log.order_by("at", "pk")),
        "may_manage": may_manage,
    }
    return TemplateResponse(request, "interconnect/delivery_detail.html", context)


@staff_required
@require_POST
def delivery_resend_view(request, pk: int):
    _require(may_manage_interconnect(request.user))
    delivery = get_object_or_404(Delivery, pk=pk)
    delivery_resend(actor=request.user, delivery=delivery)
    messages.success(request, _("The message is sent again with the next round of the worker."))
    return redirect("interconnect:delivery_detail", pk=delivery.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    """The webhook endpoints and the form to register one; a new endpoint's secret is shown once, in the answer to
    its registration."""
    _require(may_read_interconnect(request.user))
    may_manage = may_manage_interconnect(request.user)
    created, secret, error = None, "", ""
    entered = {"name": "", "url": "", "event_types": []}
    if request.method == "POST":
        _require(may_manage)
        entered = {
            "name": request.POST.get("name", ""),
            "url": request.POST.get("url", ""),
            "event_types": request.POST.getlist("event_types"),
        }
        try:
            created, secret = webhook_register(actor=request.user, **entered)
            entered = {"name": "", "url": "", "event_types": []}
        except DomainError as exc:
            error = exc.message
    context = {
        "endpoints": list(WebhookEndpoint.objects.order_by("name", "pk")),
        "event_types": WEBHOOK_EVENT_TYPES,
        "created": created,
        "secret": secret,
        "error": error,
        "entered": entered,
        "may_manage": may_manage,
    }
    response = TemplateResponse(request, "interconnect/webhooks.html", context, status=400 if error else 200)
    # The secret is on this page only: never kept by a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def webhook_toggle(request, pk: int):
    _require(may_manage_interconnect(request.user))
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhook_set_active(actor=request.user, endpoint=endpoint, is_active=not endpoint.is_active)
    return redirect("interconnect:webhooks")
