"""An item's content as plain data, and the one place its rules are checked.

``ItemContent`` is what the admin, the Excel import, the API and the demo loader all hand to the
services; ``validate_content`` is the only implementation of the catalogue's rules (ALL art. 30: what
must be public; art. 42: promised limit within the statutory one), and every error names its field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from bianmin.org.models import Department, Role, SiteLevel

from .models import (
    CaseType,
    FaqEntry,
    FeeRule,
    ItemKind,
    LegalBasis,
    MaterialRequirement,
    ProcessStep,
    ServiceItemVersion,
    SpecialProcedure,
    StepTier,
    Topic,
)

LEVEL_RANK = {SiteLevel.VILLAGE: 0, SiteLevel.TOWN: 1, SiteLevel.COUNTY: 2}
LEVEL_ORDER = [SiteLevel.COUNTY, SiteLevel.TOWN, SiteLevel.VILLAGE]
MAX_VISITS = 5

# The scalar fields of a version, in the order the guide, the Excel sheet and the API present them.
SCALAR_FIELDS = [
    "name",
    "summary",
    "kind",
    "case_type",
    "accepting_levels",
    "deciding_level",
    "village_relay",
    "conditions",
    "statutory_days",
    "promised_days",
    "has_fee",
    "result_name",
    "result_validity",
    "place",
    "hours",
    "responsible_organisation",
    "responsible_person",
    "consultation_phone",
    "complaint_phone",
    "visits_required",
    "online_application",
    "agency_offered",
    "silence_is_consent",
    "keywords",
]

# Each list of rows: its model and the fields a row carries.
PART_MODELS = {
    "legal_bases": (LegalBasis, ["law", "article", "excerpt"]),
    "materials": (MaterialRequirement, ["name", "form", "copies", "is_required", "condition", "notes"]),
    "steps": (ProcessStep, ["name", "role", "tier", "days", "description"]),
    "fees": (FeeRule, ["name", "amount", "formula", "basis"]),
    "special_procedures": (SpecialProcedure, ["kind", "typical_days", "description"]),
    "faqs": (FaqEntry, ["question", "answer"]),
}


@dataclass
class ItemContent:
    name: str
    kind: str
    case_type: str
    accepting_levels: list[str]
    deciding_level: str
    conditions: str
    statutory_days: int
    promised_days: int
    result_name: str
    place: str
    responsible_organisation: str
    consultation_phone: str
    complaint_phone: str
    summary: str = ""
    village_relay: bool = False
    has_fee: bool = False
    result_validity: str = ""
    hours: str = ""
    responsible_person: str = ""
    visits_required: int = 1
    online_application: bool = False
    agency_offered: bool = False
    silence_is_consent: bool = False
    keywords: str = ""
    co_department_codes: list[str] = field(default_factory=list)
    topic_codes: list[str] = field(default_factory=list)
    legal_bases: list[dict[str, Any]] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)
    special_procedures: list[dict[str, Any]] = field(default_factory=list)
    faqs: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ContentError:
    """One broken rule: ``field`` is a scalar field or a list ("steps"); ``row`` and ``column`` locate it."""

    field: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self.message


def _label(name: str) -> str:
    return str(ServiceItemVersion._meta.get_field(name).verbose_name)


def _part_label(part: str, column: str) -> str:
    model, _columns = PART_MODELS[part]
    return str(model._meta.get_field(column).verbose_name)


class _Checker:
    def __init__(self, content: ItemContent, owner: Department | None):
        self.content = content
        self.owner = owner
        self.errors: list[ContentError] = []

    def add(self, field_name: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.errors.append(ContentError(field_name, message, row, column))

    def required_text(self) -> None:
        for name in (
            "name",
            "conditions",
            "result_name",
            "place",
            "responsible_organisation",
            "consultation_phone",
            "complaint_phone",
        ):
            if not str(getattr(self.content, name) or "").strip():
                self.add(name, _("“%(field)s” must be filled in.") % {"field": _label(name)})

    def choices(self) -> None:
        content = self.content
        if content.kind not in ItemKind.values:
            self.add("kind", _("“%(value)s” is not a kind of item.") % {"value": content.kind})
        if content.case_type not in CaseType.values:
            self.add("case_type", _("“%(value)s” is not a case type.") % {"value": content.case_type})
        levels = content.accepting_levels
        if not levels or set(levels) - set(SiteLevel.values) or len(set(levels)) != len(levels):
            self.add("accepting_levels", _("Choose one or more of county, town and village, each once."))
        if content.deciding_level not in SiteLevel.values:
            self.add("deciding_level", _("“%(value)s” is not a level.") % {"value": content.deciding_level})

    def levels(self) -> None:
        content = self.content
        if self.has_error("accepting_levels", "deciding_level", "case_type"):
            return
        decides = LEVEL_RANK[content.deciding_level]
        lowest = min(LEVEL_RANK[level] for level in content.accepting_levels)
        if content.case_type == CaseType.ESCALATED:
            if decides <= lowest:
                self.add("deciding_level", _("An escalated item is decided at a higher level than it is accepted."))
        elif content.deciding_level not in content.accepting_levels:
            self.add("deciding_level", _("The level that decides must also accept applications."))
        if content.village_relay and SiteLevel.VILLAGE in content.accepting_levels:
            self.add("village_relay", _("Village rooms either accept the item or relay it, not both."))

    def limits(self) -> None:
        content = self.content
        for name in ("statutory_days", "promised_days", "visits_required"):
            value = getattr(content, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.add(name, _("“%(field)s” must be a whole number, 0 or more.") % {"field": _label(name)})
        if self.has_error("statutory_days", "promised_days", "visits_required"):
            return
        if content.promised_days > content.statutory_days:
            self.add(
                "promised_days",
                _("The promised limit (%(promised)d working days) may not exceed the statutory one (%(statutory)d).")
                % {"promised": content.promised_days, "statutory": content.statutory_days},
            )
        if content.case_type != CaseType.IMMEDIATE and content.statutory_days == 0:
            self.add("statutory_days", _("Only an immediate item may have a statutory limit of 0 working days."))
        if content.visits_required > MAX_VISITS:
            self.add("visits_required", _("At most %(max)d visits may be required.") % {"max": MAX_VISITS})

    def departments(self) -> None:
        content = self.content
        codes = content.co_department_codes
        known = set(Department.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
        for code in codes:
            if code not in known:
                self.add(
                    "co_department_codes",
                    _("There is no department with the code “%(code)s”.") % {"code": code},
                )
        if self.owner is not None and self.owner.code in codes:
            self.add("co_department_codes", _("The owning department cannot also be a co-department."))
        if content.case_type == CaseType.JOINT and not codes:
            self.add("co_department_codes", _("A joint item needs at least one co-department."))
        if content.case_type != CaseType.JOINT and (codes or content.silence_is_consent):
            self.add("co_department_codes", _("Only a joint item has co-departments."))
        known_topics = set(Topic.objects.filter(code__in=content.topic_codes).values_list("code", flat=True))
        for code in content.topic_codes:
            if code not in known_topics:
                self.add("topic_codes", _("There is no topic with the code “%(code)s”.") % {"code": code})

    def has_error(self, *names: str) -> bool:
        return any(error.field in names for error in self.errors)

    def rows(self, part: str, checks) -> None:
        for index, row in enumerate(getattr(self.content, part), start=1):
            for column, problem in checks(row):
                self.add(part, problem, index, column)

    def parts(self) -> None:
        content = self.content
        if not content.legal_bases:
            self.add("legal_bases", _("List at least one law or regulation the item rests on."))
        if not content.steps:
            self.add("steps", _("List at least one process step."))
        self.rows("legal_bases", _legal_basis_problems)
        self.rows("materials", _material_problems)
        self.rows("steps", _step_problems)
        self.rows("fees", _fee_problems)
        self.rows("special_procedures", _procedure_problems)
        self.rows("faqs", _faq_problems)
        names = [str(row.get("name", "")).strip() for row in content.materials]
        for index, name in enumerate(names, start=1):
            if name and names.index(name) + 1 != index:
                self.add("materials", _("“%(name)s” is listed twice.") % {"name": name}, index, "name")
        if not self.has_error("steps") and isinstance(content.promised_days, int):
            total = sum(int(row.get("days") or 0) for row in content.steps)
            if total > content.promised_days:
                self.add(
                    "steps",
                    _("The steps take %(total)d working days, more than the promised limit of %(promised)d.")
                    % {"total": total, "promised": content.promised_days},
                )
        self.step_tiers()
        if content.has_fee and not content.fees:
            self.add("fees", _("An item that charges a fee must list the fee and its legal basis."))
        if not content.has_fee and content.fees:
            self.add("fees", _("A free item lists no fees; tick “charges a fee” or remove them."))

    def step_tiers(self) -> None:
        """An escalated item is decided at the level that decides (ALL art. 43): its last step happens there."""
        content = self.content
        if self.has_error("steps", "deciding_level", "case_type") or content.case_type != CaseType.ESCALATED:
            return
        last = content.steps[-1]
        if (last.get("tier") or StepTier.RECEIVING) != content.deciding_level:
            self.add(
                "steps",
                _("The last step of an escalated item is the decision: it happens at the level that decides."),
                len(content.steps),
                "tier",
            )


def _blank(row: dict, column: str) -> bool:
    return not str(row.get(column) or "").strip()


def _must(row: dict, part: str, *columns: str):
    for column in columns:
        if _blank(row, column):
            yield column, _("“%(field)s” must be filled in.") % {"field": _part_label(part, column)}


def _whole(row: dict, part: str, column: str, minimum: int):
    value = row.get(column)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        yield (
            column,
            _("“%(field)s” must be a whole number, %(minimum)d or more.")
            % {
                "field": _part_label(part, column),
                "minimum": minimum,
            },
        )


def _legal_basis_problems(row: dict):
    yield from _must(row, "legal_bases", "law")


def _material_problems(row: dict):
    yield from _must(row, "materials", "name")
    if row.get("form", MaterialRequirement.Form.ORIGINAL) not in MaterialRequirement.Form.values:
        yield "form", _("“%(value)s” is not a form of material.") % {"value": row.get("form")}
    yield from _whole(row, "materials", "copies", 0 if row.get("form") == MaterialRequirement.Form.ELECTRONIC else 1)
    if not row.get("is_required", True) and _blank(row, "condition"):
        yield "condition", _("A conditional material must say when it is required.")


def _step_problems(row: dict):
    yield from _must(row, "steps", "name")
    if row.get("role") not in Role.values:
        yield "role", _("“%(value)s” is not a role.") % {"value": row.get("role")}
    if (row.get("tier") or StepTier.RECEIVING) not in StepTier.values:
        yield "tier", _("“%(value)s” is not a tier: receiving site, town or county.") % {"value": row.get("tier")}
    yield from _whole(row, "steps", "days", 0)


def _fee_problems(row: dict):
    yield from _must(row, "fees", "name", "basis")
    amount = row.get("amount")
    if amount in (None, "") and _blank(row, "formula"):
        yield "amount", _("Give the fee's amount or its formula.")
    elif amount not in (None, "") and (not isinstance(amount, Decimal | int) or Decimal(amount) < 0):
        yield "amount", _("The amount must be a number of yuan, 0 or more.")


def _procedure_problems(row: dict):
    if row.get("kind") not in SpecialProcedure.Kind.values:
        yield "kind", _("“%(value)s” is not a special procedure.") % {"value": row.get("kind")}
    yield from _whole(row, "special_procedures", "typical_days", 1)


def _faq_problems(row: dict):
    yield from _must(row, "faqs", "question", "answer")


def validate_content(content: ItemContent, *, owner: Department | None = None) -> list[ContentError]:
    """Every broken rule of the catalogue in this content, in field order; an empty list when it is valid."""
    checker = _Checker(content, owner)
    checker.required_text()
    checker.choices()
    checker.levels()
    checker.limits()
    checker.departments()
    checker.parts()
    return checker.errors


def content_from_version(version: ServiceItemVersion) -> ItemContent:
    """The content of a stored version, as the services and the exports take it."""
    values = {name: getattr(version, name) for name in SCALAR_FIELDS}
    values["accepting_levels"] = version.accepting_level_list
    parts = {
        part: [{column: getattr(row, column) for column in columns} for row in getattr(version, part).all()]
        for part, (_model, columns) in PART_MODELS.items()
    }
    return ItemContent(
        **values,
        **parts,
        # Sorted here rather than in SQL, so a prefetched version (the Excel export) costs no extra query.
        co_department_codes=sorted(d.code for d in version.co_departments.all()),
        topic_codes=[t.code for t in sorted(version.topics.all(), key=lambda topic: (topic.position, topic.code))],
    )


def search_text_for(content: ItemContent, department_name: str) -> str:
    """What the portal's search matches: names, keywords, materials, and the name's pinyin initials."""
    initials = "".join(lazy_pinyin(content.name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    words = [content.name, content.summary, content.keywords, content.result_name, department_name, initials]
    words += [str(row.get("name", "")) for row in content.materials]
    return " ".join(word for word in words if word).lower()
