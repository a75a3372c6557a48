"""The licence's moves, each one service: issue (制证, ALL art. 44), revoke (撤销, ALL art. 69), replace a lost or
damaged copy (补证) and change (变更, ALL art. 49); and the daily reminder before expiry.

``licence_issue`` is the case's 制证 move: it changes the case (certificate number, date, validity, hence its
clock and queue) and creates the licence in one transaction with one audit event. The case's pages, API and the
immediate case reach it through ``cases.services.case_issue_certificate``, which this app registers (cases sits
below licences and never imports it).
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases import permissions
from bianmin.cases.access import case_index_refresh
from bianmin.cases.models import Case
from bianmin.cases.workflow import check_transition as check_case_transition
from bianmin.catalog.models import ServiceItem
from bianmin.core import transitions
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.notify import notify
from bianmin.core.numbering import counter_next
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.org.selectors import user_scope

from . import signing
from .models import Licence, LicenceStatus, LicenceType

# move -> the statuses it may start from: only a valid licence is revoked, replaced or changed.
LICENCE_MOVES: dict[str, frozenset[str]] = {
    "revoke": frozenset({LicenceStatus.VALID}),
    "replace": frozenset({LicenceStatus.VALID}),
    "change": frozenset({LicenceStatus.VALID}),
}
SCOPE_MAX_LENGTH = 500
# A licence may start later than its issue (a renewal that follows the old one), within a year: beyond is a typo.
LATEST_START_DAYS = 366


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def validity_years(validity: str) -> int | None:
    """The years of an item's published validity ("5年" → 5); None when it sets none (长期, 按年复核 …)."""
    match = re.search(r"(\d+)\s*年", validity)
    return int(match.group(1)) if match else None


def latest_valid_until(years: int | None, start: datetime.date) -> datetime.date | None:
    """The last day of a validity of ``years`` from ``start`` (None: without limit)."""
    if years is None:
        return None
    try:
        return start.replace(year=start.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def licence_type_for(case: Case) -> LicenceType:
    """The item's licence type; an item whose type nobody configured yet gets one from its published guide (its
    result, validity and responsible organisation), which an administrator may correct for later licences."""
    existing = LicenceType.objects.filter(item_id=case.item_id).first()
    if existing is not None:
        return existing
    # Two first licences of one item at once: the item's row lock lets one create the type, the other read it.
    ServiceItem.objects.select_for_update().filter(pk=case.item_id).first()
    existing = LicenceType.objects.filter(item_id=case.item_id).first()
    if existing is not None:
        return existing
    version = case.version
    code = case.item.code
    return LicenceType.objects.create(
        item=case.item,
        code=code,
        name=version.result_name,
        number_prefix=re.sub(r"[^0-9A-Za-z]", "", code).upper(),
        validity_years=validity_years(version.result_validity),
        organ_name=version.responsible_organisation,
        organ_code=case.department.code,
    )


LICENCE_TYPE_FIELDS = ("name", "validity_years", "organ_name", "organ_code", "seal_image")


@transaction.atomic
def licence_type_save(*, actor: User | None, licence_type: LicenceType) -> LicenceType:
    """An administrator of the whole county corrects a licence type for the licences issued from now on: its
    name, validity rule, issuing organ and code, seal image. The number series (code, prefix) never changes, and
    licences already issued keep what they were signed with."""
    if actor is not None and not actor.is_superuser and not user_scope(actor).everything:
        raise PermissionDenied(_("Only an administrator of the whole county may change licence types."))
    if licence_type.pk is None:
        raise DomainError(_("A licence type comes with its item's first licence."), code="licence_type_invalid")
    before = LicenceType.objects.select_for_update().get(pk=licence_type.pk)
    licence_type.code, licence_type.number_prefix, licence_type.item_id = (
        before.code,
        before.number_prefix,
        before.item_id,
    )
    try:
        licence_type.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="licence_type_invalid") from exc
    licence_type.save()
    changed = [field for field in LICENCE_TYPE_FIELDS if getattr(before, field) != getattr(licence_type, field)]
    audit_record(
        actor=actor,
        action="licence_type.update",
        obj=licence_type,
        payload={"code": licence_type.code, "changed": changed},
    )
    return licence_type


def _validity(
    years: int | None,
    earliest: datetime.date,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    default_from: datetime.date,
) -> tuple[datetime.date, datetime.date | None]:
    """The validity asked for, within the type's rule: from no earlier than ``earliest``, to no later than the
    rule's last day (the whole period when not given)."""
    valid_from = valid_from or default_from
    if valid_from > default_from + datetime.timedelta(days=LATEST_START_DAYS):
        raise DomainError(
            _("The validity cannot start later than %(date)s.")
            % {"date": (default_from + datetime.timedelta(days=LATEST_START_DAYS)).isoformat()},
            code="licence_validity_invalid",
        )
    if valid_from < earliest:
        raise DomainError(
            _("The validity cannot start before %(date)s.") % {"date": earliest.isoformat()},
            code="licence_validity_invalid",
        )
    latest = latest_valid_until(years, valid_from)
    if valid_until is None:
        return valid_from, latest
    if valid_until < valid_from:
        raise DomainError(_("The validity must end after it starts."), code="licence_validity_invalid")
    if latest is not None and valid_until > latest:
        raise DomainError(
            _("This licence is valid for at most %(years)s years: until %(date)s at the latest.")
            % {"years": years, "date": latest.isoformat()},
            code="licence_validity_invalid",
        )
    return valid_from, valid_until


def _scope(scope: str, default: str) -> str:
    scope = (scope or "").strip() or default
    if len(scope) > SCOPE_MAX_LENGTH:
        raise DomainError(
            _("What is permitted is at most %(count)s characters.") % {"count": SCOPE_MAX_LENGTH},
            code="licence_scope_invalid",
        )
    return scope


def _signed(licence: Licence) -> Licence:
    """Save the licence, then its canonical content (which includes its id) and the signature over it."""
    licence.check_code = signing.check_code_new()
    licence.content = ""
    licence.signature = ""
    licence.key_id = signing.key_id()
    licence.save()
    licence.content = signing.canonical_content(licence)
    licence.signature = signing.sign(licence.content)
    licence.save(update_fields=["content", "signature"])
    return licence


def _number(licence_type: LicenceType, on: datetime.date) -> str:
    sequence = counter_next(f"licence:{licence_type.code}:{on.year}")
    return f"{licence_type.number_prefix}-{on.year}-{sequence:06d}"


def _lock_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "version", "department", "current_site")
        .get(pk=case.pk)
    )


@transaction.atomic
def licence_issue(
    *,
    actor: User | None,
    case: Case,
    now: datetime.datetime | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    scope: str = "",
) -> Licence:
    """ALL art. 44: issue the approved case's licence (within 10 working days of the approval), numbered in its
    type's series, valid as the item's rule says (or shorter), signed."""
    now = _now(now)
    today = timezone.localdate(now)
    case = _lock_case(case)
    check_case_transition(case, "issue_certificate")
    permissions.require(permissions.can(actor, "issue_certificate", case, on=today))
    if case.certificate_issued_at:
        raise TransitionNotAllowed(_("The certificate was already issued."), code="certificate_issued")
    licence_type = licence_type_for(case)
    decided_on = timezone.localdate(case.decided_at) if case.decided_at else today
    start, end = _validity(licence_type.validity_years, decided_on, valid_from, valid_until, today)
    licence = _signed(
        Licence(
            type=licence_type,
            number=_number(licence_type, today),
            case=case,
            holder_name=case.applicant_name,
            holder_id_type=case.applicant_id_type,
            holder_id_number=case.applicant_id_number,
            holder_phone=case.applicant_phone,
            scope=_scope(scope, case.details.strip() or case.version.name),
            valid_from=start,
            valid_until=end,
            organ_name=licence_type.organ_name,
            organ_code=licence_type.organ_code,
            issued_at=now,
            issued_on=today,
        )
    )
    case.certificate_number = licence.number
    case.certificate_issued_at = now
    case.certificate_valid_until = licence.valid_until
    case.save(update_fields=["certificate_number", "certificate_issued_at", "certificate_valid_until"])
    case_index_refresh(case)
    audit_record(
        actor=actor,
        action="case.issue_certificate",
        obj=case,
        payload={
            "status": case.status,
            "certificate": licence.number,
            "licence": licence.pk,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
            "late": bool(case.certificate_due) and today > case.certificate_due,
        },
        occurred_at=now,
    )
    return licence


# Each move asks "may this person" before "may it happen now": the licence's moves end its validity, so a refusal
# must not depend on whether someone moved it first.
def _lock(licence: Licence) -> Licence:
    return (
        Licence.objects.select_for_update(of=("self",))
        .select_related("type", "case", "case__version", "case__department", "case__current_site", "replaces")
        .get(pk=licence.pk)
    )


def _check(licence: Licence, move: str) -> None:
    transitions.check_transition(
        LICENCE_MOVES,
        move,
        licence.status,
        message=_("This cannot be done now: the licence is “%(status)s”.") % {"status": licence.get_status_display()},
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("State the reason."), code="reasons_required")
    if len(reason) > 200:
        raise DomainError(_("The reason is at most 200 characters."), code="reasons_invalid")
    return reason


def _end(licence: Licence, status: str, reason: str, now: datetime.datetime) -> None:
    licence.status = status
    licence.status_changed_at = now
    licence.status_reason = reason
    licence.save(update_fields=["status", "status_changed_at", "status_reason"])


def _audit(actor: User | None, move: str, licence: Licence, now: datetime.datetime, **payload) -> None:
    audit_record(
        actor=actor,
        action=f"licence.{move}",
        obj=licence,
        payload={"number": licence.number, "case": licence.case_id, "status": licence.status, **payload},
        occurred_at=now,
    )


@transaction.atomic
def licence_revoke(
    *, actor: User | None, licence: Licence, reason: str, now: datetime.datetime | None = None
) -> Licence:
    """ALL art. 69–70: the organ that issued a licence revokes it, stating why; the verification page then says
    so. Who may decide on the case (the department head, a chief representative so delegated) may revoke."""
    now = _now(now)
    licence = _lock(licence)
    permissions.require(permissions.can(actor, "decide", licence.case, on=timezone.localdate(now)))
    _check(licence, "revoke")
    reason = _reason(reason)
    _end(licence, LicenceStatus.REVOKED, reason, now)
    _audit(actor, "revoke", licence, now, reason=reason)
    return licence


def _successor(
    actor: User | None, licence: Licence, now: datetime.datetime, *, holder_name: str, scope: str, valid_until
) -> Licence:
    today = timezone.localdate(now)
    return _signed(
        Licence(
            type=licence.type,
            number=_number(licence.type, today),
            case=licence.case,
            holder_name=holder_name,
            holder_id_type=licence.holder_id_type,
            holder_id_number=licence.holder_id_number,
            holder_phone=licence.holder_phone,
            scope=scope,
            valid_from=licence.valid_from,
            valid_until=valid_until,
            organ_name=licence.type.organ_name,
            organ_code=licence.type.organ_code,
            issued_at=now,
            issued_on=today,
            replaces=licence,
        )
    )


@transaction.atomic
def licence_replace(
    *, actor: User | None, licence: Licence, reason: str, now: datetime.datetime | None = None
) -> Licence:
    """补证: a new copy of a lost or damaged licence, same content, a new number and check code; the old copy no
    longer verifies as valid."""
    now = _now(now)
    licence = _lock(licence)
    permissions.require(permissions.can(actor, "issue_certificate", licence.case, on=timezone.localdate(now)))
    _check(licence, "replace")
    reason = _reason(reason)
    _end(licence, LicenceStatus.REPLACED, reason, now)
    new = _successor(
        actor, licence, now, holder_name=licence.holder_name, scope=licence.scope, valid_until=licence.valid_until
    )
    _audit(actor, "replace", licence, now, reason=reason, successor=new.number)
    return new


@transaction.atomic
def licence_change(
    *,
    actor: User | None,
    licence: Licence,
    reason: str,
    holder_name: str = "",
    scope: str = "",
    valid_until: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Licence:
    """ALL art. 49: a change of what the licence states (the holder's name, what is permitted, a shorter validity)
    is a new licence that supersedes the old; the validity stays within the type's rule from the same start."""
    now = _now(now)
    licence = _lock(licence)
    permissions.require(permissions.can(actor, "issue_certificate", licence.case, on=timezone.localdate(now)))
    _check(licence, "change")
    reason = _reason(reason)
    holder_name = (holder_name or "").strip() or licence.holder_name
    if len(holder_name) > 100:
        raise DomainError(_("The holder's name is at most 100 characters."), code="licence_holder_invalid")
    scope = _scope(scope, licence.scope)
    _start, end = _validity(
        licence.type.validity_years, licence.valid_from, licence.valid_from, valid_until, licence.valid_from
    )
    if valid_until is None:
        end = licence.valid_until
    if (holder_name, scope, end) == (licence.holder_name, licence.scope, licence.valid_until):
        raise DomainError(_("Nothing would change."), code="licence_unchanged")
    _end(licence, LicenceStatus.CHANGED, reason, now)
    new = _successor(actor, licence, now, holder_name=holder_name, scope=scope, valid_until=end)
    _audit(actor, "change", licence, now, reason=reason, successor=new.number)
    return new


def licences_remind_expiring(*, today: datetime.date | None = None) -> int:
    """Text the holder of every valid licence that expires within LICENCE_EXPIRY_REMINDER_DAYS days, once per
    licence; returns how many were reminded. Nothing while the setting is 0."""
    days = settings.LICENCE_EXPIRY_REMINDER_DAYS
    if days <= 0:
        return 0
    today = today or timezone.localdate()
    due = Licence.objects.filter(
        status=LicenceStatus.VALID,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=days),
        reminded_on__isnull=True,
    ).only("pk")
    reminded = 0
    for pk in due.values_list("pk", flat=True).iterator():
        reminded += _remind(pk, today)
    return reminded


@transaction.atomic
def _remind(pk: int, today: datetime.date) -> int:
    licence = Licence.objects.select_for_update().select_related("type").get(pk=pk)
    if licence.reminded_on is not None or licence.status != LicenceStatus.VALID:
        return 0  # another run took it
    licence.reminded_on = today
    licence.save(update_fields=["reminded_on"])
    if licence.holder_phone:
        notify(
            phone=licence.holder_phone,
            subject=_("Your licence %(number)s") % {"number": licence.number},
            body=f"【便民服务】{licence.holder_name}："
            + _("your %(type)s No. %(number)s expires on %(date)s; please apply for its renewal in time.")
            % {
                "type": licence.type.name,
                "number": licence.number,
                "date": licence.valid_until.isoformat() if licence.valid_until else "",
            },
            obj=licence,
            event="licence_expiring",
        )
    return 1
