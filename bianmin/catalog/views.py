"""The public catalogue: browse, search, the service guide, its card, its QR code, its forms, and the kiosk."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control

from bianmin.core.uploads import file_response
from bianmin.org.models import Department, SiteLevel

from .models import MaterialRequirement, Topic
from .qr import qr_svg
from .selectors import catalog_search, guide_version
from .service_card import render_service_card

PAGE_SIZE_CHOICES = {"A4", "A5"}


def _filters(request) -> dict[str, str]:
    return {
        "query": request.GET.get("q", "").strip()[:50],
        "department_code": request.GET.get("department", "")[:12],
        "level": request.GET.get("level", "") if request.GET.get("level") in SiteLevel.values else "",
        "topic_code": request.GET.get("topic", "")[:30],
    }


def _browse_context(request) -> dict:
    filters = _filters(request)
    return {
        "filters": filters,
        "versions": catalog_search(**filters),
        "topics": Topic.objects.all(),
        "departments": Department.objects.filter(is_active=True, service_items__status="published").distinct(),
        "levels": SiteLevel.choices,
    }


def item_list(request):
    """Browse by department, level or life event, and search (names, materials, keywords, pinyin initials)."""
    context = _browse_context(request)
    template = "catalog/_item_results.html" if request.htmx else "catalog/item_list.html"
    return TemplateResponse(request, template, context)


def _guide_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("catalog:guide", args=[code]))


def _version_or_404(code: str, number: int | None = None):
    version = guide_version(code, number=number)
    if version is None:
        raise Http404
    return version


def item_guide(request, code: str, number: int | None = None):
    """The service guide (办事指南): every field ALL art. 30 and the plan require to be public."""
    version = _version_or_404(code, number)
    return TemplateResponse(
        request,
        "catalog/guide.html",
        {
            "version": version,
            "item": version.item,
            "is_current": version.item.current_version_id == version.pk,
            "qr": qr_svg(_guide_url(request, code)),
            "total_step_days": sum(step.days for step in version.steps.all()),
        },
    )


@cache_control(max_age=300)
def item_card(request, code: str):
    """The printable service card (服务明白卡), A4 or A5."""
    version = _version_or_404(code)
    size = request.GET.get("size", "A4").upper()
    if size not in PAGE_SIZE_CHOICES:
        size = "A4"
    pdf = render_service_card(version, guide_url=_guide_url(request, code), page_size=size)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="service-card-{code}-{size}.pdf"'
    return response


@cache_control(max_age=3600)
def item_qr(request, code: str):
    _version_or_404(code)
    return HttpResponse(qr_svg(_guide_url(request, code)), content_type="image/svg+xml")


def material_file(request, code: str, number: int, material_id: int, kind: str):
    """Download a material's blank form or filled sample, from a published version only: public content, the only
    way to a catalogue file (no URL serves the stored files), with its type from its bytes (core.uploads)."""
    material = get_object_or_404(
        MaterialRequirement.objects.select_related("version"),
        pk=material_id,
        version__item__code=code,
        version__number=number,
        version__published_at__isnull=False,
    )
    stored = {"form": material.blank_form, "sample": material.sample}.get(kind)
    if not stored:
        raise Http404
    return file_response(stored, download_name=f"{code}-{material.position}-{kind}", allow_inline=False)


def kiosk_home(request):
    """The centre's touch screens: large targets, no keyboard needed; the page returns here when idle."""
    return TemplateResponse(
        request,
        "catalog/kiosk/home.html",
        {
            "topics": Topic.objects.all(),
            "departments": Department.objects.filter(is_active=True, service_items__status="published").distinct(),
        },
    )


def kiosk_items(request):
    """A topic's, a department's or a search's items, headed with what was chosen (in the reader's language)."""
    context = _browse_context(request)
    filters = context["filters"]
    topic = next((topic for topic in context["topics"] if topic.code == filters["topic_code"]), None)
    department = next((d for d in context["departments"] if d.code == filters["department_code"]), None)
    context["chosen"] = str(topic) if topic else department.tile_name if department else ""
    return TemplateResponse(request, "catalog/kiosk/items.html", context)


def kiosk_guide(request, code: str):
    version = _version_or_404(code)
    return TemplateResponse(
        request,
        "catalog/kiosk/guide.html",
        {"version": version, "item": version.item, "qr": qr_svg(_guide_url(request, code))},
    )
