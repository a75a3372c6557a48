"""System tokens on the API (issue 13): the bearer authentication, and the one table of which scope each operation
needs.

A call with ``Authorization: Bearer bm_<prefix>.<secret>`` runs as the token's system's service account
(``request.user``), so every selector and service permission applies as for a person with its roles; on top, the
token must hold the operation's scope (``OPERATION_SCOPES``, keyed by operation id, as in the OpenAPI document).
An operation missing from the table is refused to every token (``token_scope_missing``), and
``tests/test_system_tokens.py`` names it. Token calls need no CSRF token: no cookie carries them.
"""

from __future__ import annotations

import inspect
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from bianmin.core.audit import audit_via_set
from bianmin.org.models import TokenScope
from bianmin.org.tokens import token_authenticate, token_require_scope

S = TokenScope

# Every API operation, by its operation id, and the one scope a token needs to call it. Public operations (no
# authentication) are listed too: a token adds nothing to them, but the table is the API's whole map.
OPERATION_SCOPES: dict[str, TokenScope] = {
    # Assessment results: supervision data.
    "bianmin_assessment_api_result_detail": S.SUPERVISION_READ,
    "bianmin_assessment_api_run_results": S.SUPERVISION_READ,
    # The working-day calendar.
    "bianmin_core_api_calendar_add": S.ORG_READ,
    "bianmin_core_api_calendar_between": S.ORG_READ,
    "bianmin_core_api_calendar_years": S.ORG_READ,
    # Cases.
    "bianmin_cases_api_list_cases": S.CASES_READ,
    "bianmin_cases_api_get_case": S.CASES_READ,
    "bianmin_cases_api_get_timeline": S.CASES_READ,
    "bianmin_cases_api_list_notices": S.CASES_READ,
    "bianmin_cases_api_get_notice": S.CASES_READ,
    "bianmin_cases_api_notice_pdf": S.CASES_READ,
    "bianmin_cases_api_material_file": S.CASES_READ,
    "bianmin_cases_api_upload_scan": S.CASES_ACT,
    "bianmin_cases_api_create_case": S.CASES_INTAKE,
    "bianmin_cases_api_accept_case": S.CASES_ACT,
    "bianmin_cases_api_issue_certificate": S.CASES_ACT,
    "bianmin_cases_api_decide_case": S.CASES_ACT,
    "bianmin_cases_api_deliver_case": S.CASES_ACT,
    "bianmin_cases_api_record_signature": S.CASES_ACT,
    "bianmin_cases_api_request_extension": S.CASES_ACT,
    "bianmin_cases_api_decide_extension": S.CASES_ACT,
    "bianmin_cases_api_collect_fee": S.CASES_ACT,
    "bianmin_cases_api_waive_material": S.CASES_ACT,
    "bianmin_cases_api_mark_ready": S.CASES_ACT,
    "bianmin_cases_api_refuse_case": S.CASES_ACT,
    "bianmin_cases_api_receive_result": S.CASES_ACT,
    "bianmin_cases_api_resume_case": S.CASES_ACT,
    "bianmin_cases_api_request_supplement": S.CASES_ACT,
    "bianmin_cases_api_receive_supplement": S.CASES_ACT,
    "bianmin_cases_api_suspend_case": S.CASES_ACT,
    "bianmin_cases_api_complete_task": S.CASES_ACT,
    "bianmin_cases_api_withdraw_case": S.CASES_ACT,
    # The staff's other work at the desk: queue counts, the inquiry log, the site ledger, the intake desk's checks.
    "bianmin_cases_api_work_get_queue_counts": S.CASES_READ,
    "bianmin_cases_api_work_list_inquiries": S.CASES_READ,
    "bianmin_cases_api_work_read_ledger": S.CASES_READ,
    "bianmin_cases_api_work_ledger_xlsx": S.CASES_READ,
    "bianmin_cases_api_work_log_inquiry": S.CASES_ACT,
    "bianmin_cases_api_work_answer_inquiry": S.CASES_ACT,
    "bianmin_cases_api_work_hand_over_inquiry": S.CASES_ACT,
    "bianmin_cases_api_work_check_id": S.CASES_INTAKE,
    "bianmin_cases_api_work_link_application": S.CASES_INTAKE,
    # An applicant's own applications (a system applying in its own name, as a person applies online).
    "bianmin_cases_api_applications_list_applications": S.CASES_INTAKE,
    "bianmin_cases_api_applications_get_application": S.CASES_INTAKE,
    "bianmin_cases_api_applications_application_notice_pdf": S.CASES_INTAKE,
    "bianmin_cases_api_applications_create_application": S.CASES_INTAKE,
    "bianmin_cases_api_applications_withdraw_application": S.CASES_INTAKE,
    # The catalogue (public).
    "bianmin_catalog_api_list_items": S.CATALOG_READ,
    "bianmin_catalog_api_get_item": S.CATALOG_READ,
    "bianmin_catalog_api_list_versions": S.CATALOG_READ,
    "bianmin_catalog_api_get_version": S.CATALOG_READ,
    # Complaints: the 12345 hotline sends work orders.
    "bianmin_complaints_api_receive_work_order": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_get_complaint": S.COMPLAINTS_READ,
    # Interconnection: the event feed; cases accepted in another system, imported (a batch of intakes).
    "bianmin_interconnect_api_events": S.EVENTS_READ,
    "bianmin_interconnect_api_import_cases": S.CASES_INTAKE,
    # Complaints and 12345 work orders.
    "bianmin_complaints_api_list_complaints": S.COMPLAINTS_READ,
    "bianmin_complaints_api_list_my_complaints": S.COMPLAINTS_READ,
    "bianmin_complaints_api_list_identity_views": S.COMPLAINTS_READ,
    "bianmin_complaints_api_list_public_notices": S.COMPLAINTS_READ,
    "bianmin_complaints_api_work_order_template": S.COMPLAINTS_READ,
    "bianmin_complaints_api_receive_phone_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_import_work_orders": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_accept_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_refuse_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_assign_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_handle_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_reply_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_finish_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_call_back_complaint": S.COMPLAINTS_WRITE,
    "bianmin_complaints_api_remind_complaint": S.COMPLAINTS_WRITE,
    # The duty roster.
    "bianmin_duty_api_roster_sites": S.ORG_READ,
    "bianmin_duty_api_roster_week": S.ORG_READ,
    "bianmin_duty_api_shift_set": S.DUTY_WRITE,
    "bianmin_duty_api_shift_remove": S.DUTY_WRITE,
    "bianmin_duty_api_shift_swap": S.DUTY_WRITE,
    "bianmin_duty_api_week_copy": S.DUTY_WRITE,
    # Ratings: the rectification of bad reviews and the appeals.
    "bianmin_ratings_api_figures": S.SUPERVISION_READ,
    "bianmin_ratings_api_rectification_get": S.SUPERVISION_READ,
    "bianmin_ratings_api_appeal_list": S.SUPERVISION_READ,
    "bianmin_ratings_api_appeal_evidence": S.SUPERVISION_READ,
    "bianmin_ratings_api_rectification_verify": S.RATINGS_ACT,
    "bianmin_ratings_api_rectification_rectify": S.RATINGS_ACT,
    "bianmin_ratings_api_rectification_call_back": S.RATINGS_ACT,
    "bianmin_ratings_api_rectification_record_outcome": S.RATINGS_ACT,
    "bianmin_ratings_api_rectification_appeal": S.RATINGS_ACT,
    "bianmin_ratings_api_appeal_uphold": S.RATINGS_ACT,
    "bianmin_ratings_api_appeal_reject": S.RATINGS_ACT,
    # Supervision: alerts, orders, accountability, the audit chain.
    "bianmin_supervision_api_alert_list": S.SUPERVISION_READ,
    "bianmin_supervision_api_alert_get": S.SUPERVISION_READ,
    "bianmin_supervision_api_order_list": S.SUPERVISION_READ,
    "bianmin_supervision_api_order_get": S.SUPERVISION_READ,
    "bianmin_supervision_api_accountability_list": S.SUPERVISION_READ,
    "bianmin_supervision_api_accountability_get": S.SUPERVISION_READ,
    "bianmin_supervision_api_audit_status": S.SUPERVISION_READ,
    "bianmin_supervision_api_audit_verify": S.SUPERVISION_READ,
    "bianmin_supervision_api_alert_confirm_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_alert_dismiss_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_alert_resolve_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_order_issue_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_order_respond_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_order_accept_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_order_return_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_order_withdraw_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_accountability_create_api": S.SUPERVISION_ACT,
    "bianmin_supervision_api_accountability_annul_api": S.SUPERVISION_ACT,
    # Licences.
    "bianmin_licences_api_licence_list": S.LICENCES_READ,
    "bianmin_licences_api_licence_get": S.LICENCES_READ,
    "bianmin_licences_api_licence_pdf": S.LICENCES_READ,
    "bianmin_licences_api_licence_verify": S.LICENCES_READ,
    "bianmin_licences_api_licence_verification": S.LICENCES_READ,
    "bianmin_licences_api_licence_change": S.LICENCES_ACT,
    "bianmin_licences_api_licence_replace": S.LICENCES_ACT,
    "bianmin_licences_api_licence_revoke": S.LICENCES_ACT,
    # The organisation.
    "bianmin_org_api_me": S.ORG_READ,
    "bianmin_org_api_list_sites": S.ORG_READ,
    "bianmin_org_api_get_site": S.ORG_READ,
    # Ratings: supervision data (the public's rating of a case is public).
    "bianmin_ratings_api_rating_list": S.SUPERVISION_READ,
    "bianmin_ratings_api_rating_create": S.SUPERVISION_READ,
    "bianmin_ratings_api_rectification_list": S.SUPERVISION_READ,
}

# The view function Django resolved → its path's operations (ninja passes an authentication only the request).
_operations_by_view: dict[Any, list] = {}


def operation_id_of(request: HttpRequest) -> str | None:
    """The id of the operation ``request`` calls, as the OpenAPI document names it."""
    match = request.resolver_match
    if match is None:
        return None
    operations = _operations_by_view.get(match.func)
    if operations is None:
        # ninja's URL patterns call a wrapper around the path's PathView, held in the wrapper's closure as ``self``.
        path_view = inspect.getclosurevars(match.func).nonlocals.get("self")
        operations = list(getattr(path_view, "operations", []))
        _operations_by_view[match.func] = operations
    for operation in operations:
        if request.method in operation.methods:
            return operation.operation_id or operation.api.get_openapi_operation_id(operation)
    return None


class SystemTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an outside system's token (org.tokens). Refusals carry their own codes:
    401 ``token_invalid`` / ``token_expired`` / ``token_revoked``, 403 ``token_scope_missing``, 429 ``rate_limited``."""

    def authenticate(self, request: HttpRequest, token: str):
        system_token = token_authenticate(token.strip())
        token_require_scope(system_token, OPERATION_SCOPES.get(operation_id_of(request)))
        account = system_token.system.service_account
        request.user = account
        request.system_token = system_token
        audit_via_set({"token": system_token.pk, "system": system_token.system.code})
        return account


system_token_auth = SystemTokenAuth()
