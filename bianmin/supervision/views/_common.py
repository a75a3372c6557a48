"""What the pages of orders, accountability and personal-data views share: page size, date input, checks."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied

from bianmin.accounts.models import User
from bianmin.org.models import Department
from bianmin.org.permissions import is_supervisor

LIST_PAGE_SIZE = 50
AUDIT_RUNS_SHOWN = 20
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _require_supervisor(user: User) -> None:
    if not is_supervisor(user):
        raise PermissionDenied


def _departments():
    return Department.objects.filter(is_active=True).order_by("code")


def _valid(form: forms.Form) -> dict:
    """A filter form's valid values (an invalid value is ignored: the list still shows)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "", False)}
