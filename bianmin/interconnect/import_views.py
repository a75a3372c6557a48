"""The centre administrator's page for importing cases accepted in another system (a CSV or .xlsx file)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bianmin.accounts.models import User
from bianmin.cases.services import CaseImportRefused
from bianmin.cases.services.imports import FIELD_NAMES, FIELDS
from bianmin.core.errors import DomainError
from bianmin.org.models import Role
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import user_scope

from .imports import HEADERS, cases_import_file


def may_import_cases(user: User) -> bool:
    """Centre administrators (each row's site must be in their subtree: the service checks) and superusers. From the
    scope the request already loaded: the workbench's menu asks on every page."""
    return user.is_superuser or Role.CENTRE_ADMIN in user_scope(user).roles


class CaseImportForm(forms.Form):
    source = forms.CharField(label=gettext_lazy("Original system"), max_length=60)
    file = forms.FileField(label=gettext_lazy("File of cases (.csv or .xlsx)"))


@staff_required
@require_http_methods(["GET", "POST"])
def case_import(request):
    """Every row imported, or none: a file with a bad row is refused whole, each problem with its row and field."""
    if not may_import_cases(request.user):
        raise PermissionDenied
    form = CaseImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            cases = cases_import_file(
                actor=request.user, filename=upload.name, data=upload.read(), source=form.cleaned_data["source"]
            )
        except CaseImportRefused as refused:
            problems = [str(problem) for problem in refused.problems]
        except DomainError as error:
            problems = [str(error.message)]
        else:
            messages.success(request, _("%(count)d cases were imported.") % {"count": len(cases)})
            return redirect("cases:queue")
    columns = [(header, field, FIELD_NAMES[field]) for header, field in HEADERS.items() if field in FIELDS]
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "problems": problems, "columns": columns}
    return TemplateResponse(request, "interconnect/case_import.html", context, status=status)
