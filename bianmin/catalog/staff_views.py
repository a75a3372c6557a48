"""Workbench pages for the catalogue in Excel: export, the blank template, upload and the import's progress.

Who may use them follows the catalogue's one editing rule, ``can_edit_catalog``: centre administrators and
superusers for every department, a department head for their departments' items only.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bianmin.org.models import Department
from bianmin.org.permissions import staff_required

from .excel import catalog_template, export_catalog
from .models import CatalogImport
from .services import can_edit_catalog, can_edit_some_catalog
from .tasks import catalog_import_start

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("At most 10 MB. Start from the template or from an export."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook saved as .xlsx."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; upload at most 10 MB.") % {"size": f"{upload.size / 1024 / 1024:.1f}"}
            )
        signature = upload.read(len(ZIP_SIGNATURE))
        upload.seek(0)
        if signature != ZIP_SIGNATURE:
            raise forms.ValidationError(_("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again."))
        return upload


def editable_departments(user) -> list[Department]:
    """The departments whose items ``user`` may export and import (the workbench's menu asks it too)."""
    return [d for d in Department.objects.order_by("code") if can_edit_catalog(user, d)]


def may_use_catalog_excel(user) -> bool:
    """Whether the page serves ``user`` (``editable_departments`` not empty), without reading the departments."""
    return can_edit_some_catalog(user)


class _Access:
    """The departments whose items the user may export and import; 403 when there are none."""

    def __init__(self, user):
        self.departments = editable_departments(user)
        if not self.departments:
            raise PermissionDenied
        self.is_everything = len(self.departments) == Department.objects.count()


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _page(request, access: _Access, form: CatalogUploadForm, *, status: int = 200) -> TemplateResponse:
    jobs = CatalogImport.objects.filter(created_by=request.user)[:10]
    context = {"form": form, "departments": access.departments, "is_everything": access.is_everything, "jobs": jobs}
    return TemplateResponse(request, "catalog/staff/excel.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def catalog_excel(request):
    access = _Access(request.user)
    if request.method != "POST":
        return _page(request, access, CatalogUploadForm())
    form = CatalogUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, access, form, status=400)
    job = catalog_import_start(actor=request.user, upload=form.cleaned_data["file"])
    return redirect("catalog_staff:import_detail", pk=job.pk)


@staff_required
@require_GET
def catalog_export(request):
    access = _Access(request.user)
    code = request.GET.get("department", "")
    include_drafts = request.GET.get("drafts") == "1"
    today = timezone.localdate().isoformat()
    if not code:
        if not access.is_everything:
            raise PermissionDenied
        return _attachment(export_catalog(include_drafts=include_drafts), f"catalog-{today}.xlsx")
    department = next((d for d in access.departments if d.code == code), None)
    if department is None:
        raise PermissionDenied
    content = export_catalog(department=department, include_drafts=include_drafts)
    return _attachment(content, f"catalog-{department.code}-{today}.xlsx")


@staff_required
@require_GET
def catalog_template_download(request):
    _Access(request.user)
    return _attachment(catalog_template(), "catalog-template.xlsx")


def _job_for(request, pk: int) -> CatalogImport:
    """The uploader's own job; a user who may edit every department sees everyone's."""
    access = _Access(request.user)
    jobs = (
        CatalogImport.objects.all() if access.is_everything else CatalogImport.objects.filter(created_by=request.user)
    )
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _job_context(job: CatalogImport) -> dict:
    is_finished = job.status in (CatalogImport.Status.SUCCEEDED, CatalogImport.Status.FAILED)
    return {"job": job, "is_finished": is_finished}


@staff_required
@require_GET
def import_detail(request, pk: int):
    job = _job_for(request, pk)
    return TemplateResponse(request, "catalog/staff/import_detail.html", _job_context(job))


@never_cache
@staff_required
@require_GET
def import_status(request, pk: int):
    job = _job_for(request, pk)
    return TemplateResponse(request, "catalog/staff/_import_status.html", _job_context(job))
