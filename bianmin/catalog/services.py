"""Every write to the catalogue: create, edit a draft, publish, withdraw. One transaction each, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.uploads import FORM_KINDS, upload_clean
from bianmin.org.models import Department, Role
from bianmin.org.selectors import user_scope

from .content import (
    LEVEL_ORDER,
    PART_MODELS,
    SCALAR_FIELDS,
    ContentError,
    ItemContent,
    content_from_version,
    search_text_for,
    validate_content,
)
from .models import MaterialRequirement, ServiceItem, ServiceItemVersion, Topic
from .staffing import missing_role_holders


class ContentInvalid(DomainError):
    """The content breaks one or more catalogue rules; ``errors`` lists them all."""

    code = "item_content_invalid"

    def __init__(self, errors: list[ContentError]):
        super().__init__(
            _("The item cannot be saved: %(errors)s") % {"errors": "；".join(error.message for error in errors)}
        )
        self.errors = errors


def can_edit_catalog(user: User | None, department: Department) -> bool:
    """Centre administrators edit every item; a department head edits their department's items (a town's reviewer,
    a head held at a town, does not)."""
    if user is None or user.is_superuser:
        return True
    scope = user_scope(user)
    if Role.CENTRE_ADMIN in scope.roles and scope.everything:
        return True
    return department.pk in scope.departments_of(Role.DEPARTMENT_HEAD)


def can_edit_some_catalog(user: User | None) -> bool:
    """Whether ``can_edit_catalog`` passes for at least one department, answered from the roles alone (the
    workbench's menu asks it on every page, without reading the departments)."""
    if user is None or user.is_superuser:
        return True
    scope = user_scope(user)
    if Role.CENTRE_ADMIN in scope.roles and scope.everything:
        return True
    return bool(scope.departments_of(Role.DEPARTMENT_HEAD))


def _require_editor(actor: User | None, department: Department) -> None:
    if not can_edit_catalog(actor, department):
        raise PermissionDenied(_("Only a centre administrator or the department's head may change its items."))


def _next_code(department: Department) -> str:
    prefix = f"{department.code}-"
    codes = ServiceItem.objects.select_for_update().filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in codes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _write_content(
    version: ServiceItemVersion,
    content: ItemContent,
    department: Department,
    *,
    files_from: ServiceItemVersion | None = None,
) -> None:
    """Write ``content`` into a draft. Uploaded forms and samples are not part of the content: a material
    keeps the files of the material of the same name in ``files_from`` (default: the draft itself)."""
    if version.published_at is not None:
        raise DomainError(_("A published version cannot be changed; start a new draft."), code="version_published")
    for name in SCALAR_FIELDS:
        setattr(version, name, getattr(content, name))
    version.accepting_levels = ",".join(level for level in LEVEL_ORDER if level in content.accepting_levels)
    version.search_text = search_text_for(content, department.name)
    version.save()
    version.co_departments.set(Department.objects.filter(code__in=content.co_department_codes))
    version.topics.set(Topic.objects.filter(code__in=content.topic_codes))
    source = files_from or version
    files = {row.name: (row.blank_form.name, row.sample.name) for row in source.materials.all()} if source.pk else {}
    for part, (model, columns) in PART_MODELS.items():
        getattr(version, part).all().delete()
        model.objects.bulk_create(
            model(
                version=version,
                position=position,
                **{column: row.get(column) for column in columns if row.get(column) is not None},
            )
            for position, row in enumerate(getattr(content, part), start=1)
        )
    for material in version.materials.all():
        if material.name in files:
            material.blank_form, material.sample = files[material.name]
            material.save(update_fields=["blank_form", "sample"])


def _check(content: ItemContent, department: Department) -> None:
    errors = validate_content(content, owner=department)
    if errors:
        raise ContentInvalid(errors)


@transaction.atomic
def item_create(
    *, actor: User | None, department: Department, content: ItemContent, code: str | None = None
) -> ServiceItem:
    """A new item with its first draft; nothing is public until it is published."""
    _require_editor(actor, department)
    _check(content, department)
    code = code or _next_code(department)
    if ServiceItem.objects.filter(code=code).exists():
        raise DomainError(_("An item with the code %(code)s already exists.") % {"code": code}, code="item_code_taken")
    item = ServiceItem(code=code, department=department)
    try:
        item.full_clean(exclude=["current_version"])
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="item_invalid") from exc
    item.save()
    version = ServiceItemVersion(item=item)
    _write_content(version, content, department)
    audit_record(actor=actor, action="item.create", obj=item, payload={"code": code, "name": content.name})
    return item


def _locked(item: ServiceItem) -> ServiceItem:
    return ServiceItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)


def _draft_of(item: ServiceItem) -> ServiceItemVersion | None:
    return item.versions.filter(published_at__isnull=True).first()


@transaction.atomic
def draft_start(*, actor: User | None, item: ServiceItem) -> ServiceItemVersion:
    """The item's draft: the existing one, or a new one copied from the current published version."""
    item = _locked(item)
    _require_editor(actor, item.department)
    draft = _draft_of(item)
    if draft is not None:
        return draft
    current = item.current_version
    if current is None:
        raise DomainError(_("This item has neither a draft nor a published version."), code="item_empty")
    draft = ServiceItemVersion(item=item)
    _write_content(draft, content_from_version(current), item.department, files_from=current)
    draft.windows.set(current.windows.all())
    audit_record(actor=actor, action="item.draft_start", obj=item, payload={"from_version": current.number})
    return draft


@transaction.atomic
def draft_replace(*, actor: User | None, item: ServiceItem, content: ItemContent) -> ServiceItemVersion:
    """Replace the draft's whole content (the Excel import and the API edit this way)."""
    item = _locked(item)
    _require_editor(actor, item.department)
    _check(content, item.department)
    draft = _draft_of(item) or draft_start(actor=actor, item=item)
    _write_content(draft, content, item.department)
    audit_record(actor=actor, action="item.draft_update", obj=item, payload={"name": content.name})
    return draft


@transaction.atomic
def draft_validated(*, actor: User | None, item: ServiceItem) -> ServiceItemVersion:
    """After the admin saved a draft's rows: check the rules on what is stored, refresh search, audit."""
    item = _locked(item)
    _require_editor(actor, item.department)
    draft = _draft_of(item)
    if draft is None:
        raise DomainError(_("This item has no draft to save."), code="item_no_draft")
    content = content_from_version(draft)
    _check(content, item.department)
    draft.search_text = search_text_for(content, item.department.name)
    draft.save(update_fields=["search_text"])
    audit_record(actor=actor, action="item.draft_update", obj=item, payload={"name": content.name})
    return draft


@transaction.atomic
def item_publish(*, actor: User | None, item: ServiceItem, change_note: str = "") -> ServiceItemVersion:
    """ALL art. 30: publish the draft as the item's new public version; earlier versions stay as they were. Refused
    while a step has nobody holding its role at a site where it would happen (plan 二(四): 限时办结制)."""
    item = _locked(item)
    _require_editor(actor, item.department)
    draft = _draft_of(item)
    if draft is None:
        raise DomainError(_("There is no draft to publish."), code="item_no_draft")
    _check(content_from_version(draft), item.department)
    missing = missing_role_holders(draft, item.department)
    if missing:
        raise DomainError(
            _("The item cannot be published, its cases could not be finished: %(problems)s")
            % {"problems": " ".join(missing)},
            code="step_role_unheld",
        )
    draft.number = (item.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    draft.published_at = timezone.now()
    draft.published_by = actor
    draft.change_note = change_note
    draft.save(update_fields=["number", "published_at", "published_by", "change_note"])
    item.current_version = draft
    item.status = ServiceItem.Status.PUBLISHED
    item.withdrawn_at = None
    item.withdrawal_reason = ""
    item.save(update_fields=["current_version", "status", "withdrawn_at", "withdrawal_reason"])
    audit_record(
        actor=actor,
        action="item.publish",
        obj=item,
        payload={"version": draft.number, "change_note": change_note},
    )
    return draft


@transaction.atomic
def item_withdraw(*, actor: User | None, item: ServiceItem, reason: str) -> ServiceItem:
    """Take an item off the public catalogue; its versions, and the cases that reference them, remain."""
    item = _locked(item)
    _require_editor(actor, item.department)
    if not reason.strip():
        raise DomainError(_("Give the reason for withdrawing the item."), code="reason_required")
    if item.status != ServiceItem.Status.PUBLISHED:
        raise DomainError(_("Only a published item can be withdrawn."), code="item_not_published")
    item.status = ServiceItem.Status.WITHDRAWN
    item.withdrawn_at = timezone.now()
    item.withdrawal_reason = reason.strip()
    item.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    audit_record(actor=actor, action="item.withdraw", obj=item, payload={"reason": item.withdrawal_reason})
    return item


@transaction.atomic
def item_set_results_publication(*, actor: User | None, item: ServiceItem, published: bool) -> ServiceItem:
    """Whether the item's decisions go on the public results board (双公示: licensing decisions are published within
    7 working days unless the item's results must not be)."""
    item = _locked(item)
    _require_editor(actor, item.department)
    item.results_published = published
    item.save(update_fields=["results_published"])
    audit_record(actor=actor, action="item.results_publication", obj=item, payload={"published": published})
    return item


@transaction.atomic
def topic_save(*, actor: User | None, topic: Topic) -> Topic:
    """Create or change a topic (life event) the portal browses by."""
    if actor is not None and not actor.is_superuser and Role.CENTRE_ADMIN not in user_scope(actor).roles:
        raise PermissionDenied(_("Only a centre administrator may change the topics."))
    is_new = topic.pk is None
    try:
        topic.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="topic_invalid") from exc
    topic.save()
    audit_record(
        actor=actor,
        action="topic.create" if is_new else "topic.update",
        obj=topic,
        payload={"code": topic.code, "name": topic.name},
    )
    return topic


MATERIAL_FILE_KINDS = {"form": "blank_form", "sample": "sample"}


@transaction.atomic
def material_attach(
    *, actor: User | None, material: MaterialRequirement, kind: str, filename: str, content: bytes
) -> MaterialRequirement:
    """Attach a blank form or a filled sample to a material of a draft (published versions are frozen)."""
    material = (
        MaterialRequirement.objects.select_for_update(of=("self",))
        .select_related("version__item__department")
        .get(pk=material.pk)
    )
    _require_editor(actor, material.version.item.department)
    if not material.version.is_draft:
        raise DomainError(_("A published version cannot be changed; start a new draft."), code="version_published")
    if kind not in MATERIAL_FILE_KINDS:
        raise DomainError(_("Attach a blank form or a filled sample."), code="invalid_kind")
    # What the file is comes from its bytes (core.uploads); it is stored under a random name.
    clean = upload_clean(ContentFile(content, name=filename), kinds=FORM_KINDS)
    getattr(material, MATERIAL_FILE_KINDS[kind]).save(clean.name, clean, save=False)
    material.save(update_fields=[MATERIAL_FILE_KINDS[kind]])
    audit_record(
        actor=actor,
        action="item.material_attach",
        obj=material.version.item,
        payload={"material": material.name, "kind": kind, "file": getattr(material, MATERIAL_FILE_KINDS[kind]).name},
    )
    return material
