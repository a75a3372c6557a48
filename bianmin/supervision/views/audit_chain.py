"""The audit chain's status page and its verify-now button."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.accounts.models import User
from bianmin.core.audit import checkpoint_latest, verify_audit_chain_task
from bianmin.core.models import AuditHead, AuditVerification
from bianmin.org.models import Role
from bianmin.org.permissions import is_supervisor, staff_required
from bianmin.org.selectors import user_scope

from ._common import AUDIT_RUNS_SHOWN

# --- The audit chain's status ------------------------------------------------------------------------------------


def reads_audit_chain(user: User) -> bool:
    """Supervisors and centre administrators (the workbench's menu asks it too)."""
    return is_supervisor(user) or Role.CENTRE_ADMIN in user_scope(user).roles


def _require_audit_reader(user: User) -> None:
    if not reads_audit_chain(user):
        raise PermissionDenied


@staff_required
@require_GET
def audit_status(request):
    """The chain's last verifications (hourly in the worker, or on demand), its current head and its latest
    checkpoint (signed outside the database; its signature is checked by each verification)."""
    _require_audit_reader(request.user)
    runs = list(AuditVerification.objects.order_by("-ran_at", "-pk")[:AUDIT_RUNS_SHOWN])
    head = AuditHead.objects.values_list("last_sequence", flat=True).first()
    context = {
        "latest": runs[0] if runs else None,
        "runs": runs,
        "head_sequence": head or 0,
        "checkpoint": checkpoint_latest(),
    }
    return TemplateResponse(request, "supervision/audit_status.html", context)


@staff_required
@require_POST
def audit_verify(request):
    """Queue a verification now. Always through the worker: a long chain takes seconds to walk, which a web
    request should not hold; the page shows the run once the worker has recorded it (at once in tests)."""
    _require_audit_reader(request.user)
    verify_audit_chain_task.enqueue()
    messages.success(request, _("The verification was queued; its result appears here when it has run."))
    return redirect("supervision:audit")
