"""Read endpoints for the public catalogue: published items and their versions (no login needed)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from bianmin.core.api_contract import BoundedPagination, Id, plain_text, responses
from bianmin.org.models import SiteLevel

from .models import ServiceItemVersion
from .selectors import catalog_search, guide_version

router = Router(tags=["catalog"])


class ItemFilters(Schema):
    q: plain_text(200) = ""
    department: plain_text(100) = ""
    level: plain_text(100) = ""
    topic: plain_text(100) = ""


ItemCode = Annotated[plain_text(50, min_length=1), Path(description="The item's code, e.g. SJ-0004.")]


class ItemSummary(Schema):
    code: str
    name: str
    department_code: str
    department_name: str
    kind: str
    case_type: str
    statutory_days: int
    promised_days: int
    has_fee: bool
    version: int

    @staticmethod
    def resolve_code(version: ServiceItemVersion) -> str:
        return version.item.code

    @staticmethod
    def resolve_department_code(version: ServiceItemVersion) -> str:
        return version.item.department.code

    @staticmethod
    def resolve_department_name(version: ServiceItemVersion) -> str:
        return version.item.department.name

    @staticmethod
    def resolve_version(version: ServiceItemVersion) -> int:
        return version.number


class LegalBasisOut(Schema):
    law: str
    article: str
    excerpt: str


class MaterialOut(Schema):
    id: int = Field(description="The material requirement's id: a case's material names it as requirement_id.")
    name: str
    form: str
    copies: int
    is_required: bool
    condition: str
    notes: str
    has_blank_form: bool
    has_sample: bool

    @staticmethod
    def resolve_has_blank_form(material) -> bool:
        return bool(material.blank_form)

    @staticmethod
    def resolve_has_sample(material) -> bool:
        return bool(material.sample)


class StepOut(Schema):
    name: str
    role: str
    # Where the step is done: "receiving" (the site that received the application), "town" or "county".
    tier: str
    days: int
    description: str


class FeeOut(Schema):
    id: int = Field(description="The fee rule's id: collecting a case's fee names the rules that apply by it.")
    name: str
    amount: Decimal | None
    formula: str
    basis: str


class ProcedureOut(Schema):
    kind: str
    typical_days: int
    description: str


class FaqOut(Schema):
    question: str
    answer: str


class ItemDetail(ItemSummary):
    summary: str
    published_at: datetime
    change_note: str
    accepting_levels: list[str]
    deciding_level: str
    village_relay: bool
    co_department_codes: list[str]
    conditions: str
    result_name: str
    result_validity: str
    place: str
    hours: str
    responsible_organisation: str
    responsible_person: str
    consultation_phone: str
    complaint_phone: str
    visits_required: int
    online_application: bool
    agency_offered: bool
    silence_is_consent: bool
    topic_codes: list[str]
    legal_bases: list[LegalBasisOut]
    materials: list[MaterialOut]
    steps: list[StepOut]
    fees: list[FeeOut]
    special_procedures: list[ProcedureOut]
    faqs: list[FaqOut]

    @staticmethod
    def resolve_accepting_levels(version: ServiceItemVersion) -> list[str]:
        return version.accepting_level_list

    @staticmethod
    def resolve_co_department_codes(version: ServiceItemVersion) -> list[str]:
        return [department.code for department in version.co_departments.all()]

    @staticmethod
    def resolve_topic_codes(version: ServiceItemVersion) -> list[str]:
        return [topic.code for topic in version.topics.all()]

    @staticmethod
    def resolve_legal_bases(version):
        return list(version.legal_bases.all())

    @staticmethod
    def resolve_materials(version):
        return list(version.materials.all())

    @staticmethod
    def resolve_steps(version):
        return list(version.steps.all())

    @staticmethod
    def resolve_fees(version):
        return list(version.fees.all())

    @staticmethod
    def resolve_special_procedures(version):
        return list(version.special_procedures.all())

    @staticmethod
    def resolve_faqs(version):
        return list(version.faqs.all())


class VersionOut(Schema):
    number: int
    name: str
    published_at: datetime
    change_note: str
    is_current: bool

    @staticmethod
    def resolve_is_current(version: ServiceItemVersion) -> bool:
        return version.item.current_version_id == version.pk


@router.get(
    "/items",
    response=responses(list[ItemSummary], auth=False),
    auth=None,
    summary="Published items, filtered and searched",
)
@paginate(BoundedPagination)
def list_items(request, filters: Query[ItemFilters]):
    level = filters.level if filters.level in SiteLevel.values else ""
    return catalog_search(
        query=filters.q[:50], department_code=filters.department[:12], level=level, topic_code=filters.topic[:30]
    )


def _version(code: str, number: int | None = None) -> ServiceItemVersion:
    version = guide_version(code, number=number)
    if version is None:
        raise Http404
    return version


@router.get(
    "/items/{code}",
    response=responses(ItemDetail, auth=False, not_found=True),
    auth=None,
    summary="An item's current published guide",
)
def get_item(request, code: ItemCode):
    return _version(code)


@router.get(
    "/items/{code}/versions",
    response=responses(list[VersionOut], auth=False, not_found=True),
    auth=None,
    summary="An item's published versions",
)
def list_versions(request, code: ItemCode):
    """Every published version, newest first: one item's history, so the list needs no pages."""
    versions = (
        ServiceItemVersion.objects.filter(item__code=code, published_at__isnull=False)
        .select_related("item")
        .order_by("-number")
    )
    if not versions:
        raise Http404
    return list(versions)


@router.get(
    "/items/{code}/versions/{number}",
    response=responses(ItemDetail, auth=False, not_found=True),
    auth=None,
    summary="One published version",
)
def get_version(request, code: ItemCode, number: Id):
    return _version(code, number)
