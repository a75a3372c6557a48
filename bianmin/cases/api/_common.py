"""What the case endpoints share: the router, the unknown-reference error, reading a case back."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Router

from bianmin.accounts.models import User
from bianmin.core.errors import DomainError
from bianmin.core.queries import joins_as_written

from ..models import Case, CaseMaterial, CaseMaterialEvent, ReviewTask
from ..selectors import case_get_for_user, cases_visible_to
from .outputs import CaseDetail

router = Router(tags=["cases"])


class UnknownReference(DomainError):
    """The body names an item, site, material or fee that does not exist (or not for this case)."""

    status = 422


def _with_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("relay_site", "delivery_site", "sent_from_site", "delivered_by").prefetch_related(
        Prefetch(
            "materials",
            CaseMaterial.objects.prefetch_related(Prefetch("history", CaseMaterialEvent.objects.select_related("by"))),
        ),
        Prefetch("tasks", ReviewTask.objects.select_related("department", "site")),
        "notices",
        "suspensions",
        "extensions",
    )


def _case_with_details(user: User, case_id: int) -> Case | None:
    """The case in the user's scope with everything its detail shows, read by its key with its reference rows
    joined in the order written (core/queries.py)."""
    with joins_as_written():
        return _with_details(cases_visible_to(user)).filter(pk=case_id).first()


def _visible_case(request, case_id: int) -> Case:
    case = case_get_for_user(request.auth, case_id)
    if case is None:
        raise Http404
    return case


def _as_detail(request, case: Case) -> CaseDetail:
    return CaseDetail.model_validate(case, context={"user": request.auth, "today": timezone.localdate()})


def _detail(request, case_id: int) -> CaseDetail:
    """The case after a write, read again with everything the move changed."""
    case = _case_with_details(request.auth, case_id)
    if case is None:
        # The caller just acted on the case (the service checked their right to), and a move can take it
        # out of their scope; they still get the answer to what they did.
        case = _with_details(
            Case.objects.select_related("item", "version", "department", "receiving_site", "current_site")
        ).get(pk=case_id)
    return _as_detail(request, case)
