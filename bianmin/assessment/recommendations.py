"""监察建议书: a failed subject's supervision recommendation, recorded among the accountability records (责任追究) by a
supervisor of the county through supervision's own service, with the alerts behind the result linked."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.org.models import Department, Window
from bianmin.supervision.models import AccountabilityRecord, Alert
from bianmin.supervision.services.accountability import accountability_record_create

from .models import AssessmentRun, Grade, SubjectKind, SubjectResult
from .periods import period_label
from .running import today_of


def _held_accountable(result: SubjectResult) -> dict:
    """Who the record names: the department, the person, or for a window its first department at its site."""
    kind, subject = result.run.scheme.subject_kind, result.subject_id
    if kind == SubjectKind.DEPARTMENT:
        return {"department": Department.objects.get(pk=subject)}
    if kind == SubjectKind.STAFF:
        return {"person": User.objects.get(pk=subject)}
    if kind == SubjectKind.WINDOW:
        window = Window.objects.select_related("site").get(pk=subject)
        department = window.departments.order_by("pk").first()
        if department is not None:
            return {"department": department, "site": window.site}
    raise DomainError(
        _("A site's recommendation names no person or department: record it among the accountability records."),
        code="recommendation_subject",
    )


def recommendation_issue(
    *, actor: User, result: SubjectResult, now: datetime.datetime | None = None
) -> AccountabilityRecord:
    """The plan: assessment results feed the accountability records; a 不合格 subject gets a 监察建议书."""
    now = now or timezone.now()
    with transaction.atomic():
        result = SubjectResult.objects.select_for_update().select_related("run__scheme").get(pk=result.pk)
        run = result.run
        if result.grade != Grade.FAIL or run.state != AssessmentRun.State.PUBLISHED:
            raise TransitionNotAllowed(
                _("Only a failed subject of a published assessment gets a recommendation."),
                code="recommendation_not_due",
            )
        if result.recommendation_id:
            raise TransitionNotAllowed(_("The recommendation was already issued."), code="recommendation_issued")
        finding = _(
            "Supervision recommendation: %(subject)s scored %(score)s points in %(scheme)s, %(period)s "
            "(version %(version)d), graded as failed."
        ) % {
            "subject": result.label,
            "score": result.score,
            "scheme": run.scheme.name,
            "period": period_label(run.scheme.period_kind, run.period_start),
            "version": run.version,
        }
        alert_ids = [pk for item in result.items.all() for pk in item.evidence.get("supervision.alert", [])]
        record = accountability_record_create(
            actor=actor,
            finding=finding,
            measure=AccountabilityRecord.Measure.OTHER,
            decided_on=today_of(now),
            alerts=Alert.objects.filter(pk__in=alert_ids),
            now=now,
            **_held_accountable(result),
        )
        result.recommendation = record
        result.save(update_fields=["recommendation"])
        audit_record(actor=actor, action="assessment.recommendation_issue", obj=result, payload={"record": record.pk})
    return record
