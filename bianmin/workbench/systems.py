"""Outside systems and their API tokens, for centre administrators (issue 13, "System tokens").

The list shows each system's tokens (prefix, scopes, expiry, last use, state); a system's page shows its roles and
tokens, creates a token and revokes one. A new token's text is in the answer to its creation only: the page says
to copy it now, and nothing can show it again (only its hash is stored). The writes are ``org.tokens``' services.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.accounts.models import User
from bianmin.core.dates import SHANGHAI
from bianmin.core.errors import DomainError
from bianmin.org.models import Department, ExternalSystem, Role, RoleAssignment, Site, SystemToken, TokenScope
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import user_scope
from bianmin.org.tokens import (
    DEFAULT_RATE_LIMIT,
    MAX_RATE_LIMIT,
    SystemRole,
    system_create,
    systems_visible_to,
    token_create,
    token_revoke,
)

STATE_LABELS = {"active": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}
# A supervisor's role (reads a jurisdiction, receives 12345 work orders) only a superuser grants (org.services).
SYSTEM_ROLES = [(role.value, role.label) for role in (Role.CLERK, Role.AGENT, Role.DEPARTMENT_HEAD, Role.SUPERVISOR)]


def manages_systems(user: User) -> bool:
    """Centre administrators (and superusers) manage the outside systems of the accounts they administer. From the
    scope the request already loaded (the workbench's menu asks on every page); the services check each system."""
    return user.is_superuser or Role.CENTRE_ADMIN in user_scope(user).roles


class SystemForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Letters, digits and hyphens, e.g. city."))
    name = forms.CharField(label=_("Name"), max_length=80)
    contact = forms.CharField(label=_("Contact"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Acts as"), choices=SYSTEM_ROLES)
    site = forms.ModelChoiceField(label=_("At the site"), queryset=Site.objects.filter(is_active=True))
    department = forms.ModelChoiceField(
        label=_("For the department"), queryset=Department.objects.filter(is_active=True), required=False
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What the token is used for."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At most a year from today."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=MAX_RATE_LIMIT, initial=DEFAULT_RATE_LIMIT
    )

    def expires_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["expires_on"], datetime.time(23, 59, 59), tzinfo=SHANGHAI)


def _manager(request) -> None:
    if not manages_systems(request.user):
        raise PermissionDenied


def _tokens_with_state(tokens) -> list[dict]:
    now = timezone.now()
    labels = dict(TokenScope.choices)
    return [
        {
            "token": token,
            "state": token.state(now),
            "state_label": STATE_LABELS[token.state(now)],
            "scopes": [labels.get(scope, scope) for scope in token.scopes],
        }
        for token in tokens
    ]


@staff_required
@require_GET
def system_list(request):
    _manager(request)
    systems = systems_visible_to(request.user).prefetch_related(
        Prefetch("tokens", queryset=SystemToken.objects.order_by("-created_at", "-pk"))
    )
    rows = [{"system": system, "tokens": _tokens_with_state(system.tokens.all())} for system in systems]
    return TemplateResponse(request, "workbench/systems.html", {"rows": rows, "form": SystemForm()})


@staff_required
@require_POST
def system_new(request):
    _manager(request)
    form = SystemForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workbench:systems")
    data = form.cleaned_data
    try:
        system = system_create(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            contact=data["contact"],
            roles=[SystemRole(data["role"], site=data["site"], department=data["department"])],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("workbench:systems")
    return redirect("workbench:system_detail", system.pk)


def _detail(request, system: ExternalSystem, *, form: TokenForm | None = None, new_token=None, status: int = 200):
    roles = RoleAssignment.objects.filter(user_id=system.service_account_id, is_active=True).select_related(
        "site", "department"
    )
    tokens = system.tokens.order_by("-created_at", "-pk")
    context = {
        "system": system,
        "roles": roles,
        "rows": _tokens_with_state(tokens),
        "form": form or TokenForm(initial={"expires_on": timezone.localdate() + datetime.timedelta(days=90)}),
        "new_token": new_token,
    }
    return TemplateResponse(request, "workbench/system_detail.html", context, status=status)


@staff_required
@require_GET
def system_detail(request, pk: int):
    _manager(request)
    return _detail(request, get_object_or_404(systems_visible_to(request.user), pk=pk))


@staff_required
@require_POST
def token_new(request, pk: int):
    _manager(request)
    system = get_object_or_404(systems_visible_to(request.user), pk=pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _detail(request, system, form=form, status=422)
    try:
        token, text = token_create(
            actor=request.user,
            system=system,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
            rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
        )
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _detail(request, system, form=form, status=422)
    # The only answer that carries the token: not a redirect, so reloading or going back cannot show it again.
    response = _detail(request, system, new_token={"token": token, "text": text})
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def token_revoke_view(request, pk: int, token_pk: int):
    _manager(request)
    system = get_object_or_404(systems_visible_to(request.user), pk=pk)
    token = get_object_or_404(SystemToken, system=system, pk=token_pk)
    try:
        token_revoke(actor=request.user, token=token)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The token %(prefix)s is revoked.") % {"prefix": token.prefix})
    return redirect("workbench:system_detail", system.pk)
