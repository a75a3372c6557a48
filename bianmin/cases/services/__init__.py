"""Every change to a case: one function each. Each checks permission and the allowed move, locks the case
row, writes its audit event in the same transaction, and notifies the applicant only after commit.

The law's clocks (ALL art. 29–50, 82) all come from the working-day calendar (bianmin.core.workdays).

Modules, by stage of the case life: intake (intake, supplement, acceptance, refusal), materials (a
material's row and history, waiving one), duplicates (one application, one place), review (steps,
suspension, extension), decision (decision, certificate, fee, delivery, withdrawal), sweeps (the worker's);
_common holds what they share. Callers import from here.
"""

from ._common import APPEAL_RIGHTS, CERTIFICATE_WORKING_DAYS, NOTICE_PREFIX, PRECHECK_WORKING_DAYS
from .decision import (
    case_collect_fee,
    case_decide,
    case_deliver,
    case_handle_immediately,
    case_issue_certificate,
    case_mark_ready,
    case_receive_result,
    case_record_signature,
    case_withdraw,
)
from .duplicates import DuplicateApplication, case_link_application, open_applications
from .imports import CaseImportRefused, ImportProblem, cases_import
from .intake import (
    DUPLICATE_ONLINE,
    PHONE,
    Applicant,
    Intake,
    MaterialCheck,
    case_accept,
    case_apply_online,
    case_receive_supplement,
    case_refuse,
    case_request_supplement,
    case_submit,
    receiving_site,
)
from .materials import case_attach_scan, case_waive_material
from .review import case_complete_task, case_decide_extension, case_request_extension, case_resume, case_suspend
from .sweeps import cases_apply_silence, cases_deem_accepted, cases_recompute_deadlines

__all__ = [
    "APPEAL_RIGHTS",
    "CERTIFICATE_WORKING_DAYS",
    "DUPLICATE_ONLINE",
    "NOTICE_PREFIX",
    "PHONE",
    "PRECHECK_WORKING_DAYS",
    "Applicant",
    "CaseImportRefused",
    "DuplicateApplication",
    "ImportProblem",
    "Intake",
    "MaterialCheck",
    "case_accept",
    "case_apply_online",
    "case_attach_scan",
    "case_collect_fee",
    "case_complete_task",
    "case_decide",
    "case_decide_extension",
    "case_deliver",
    "case_handle_immediately",
    "case_issue_certificate",
    "case_link_application",
    "case_mark_ready",
    "case_receive_result",
    "case_receive_supplement",
    "case_record_signature",
    "case_refuse",
    "case_request_extension",
    "case_request_supplement",
    "case_resume",
    "case_submit",
    "case_suspend",
    "case_waive_material",
    "case_withdraw",
    "cases_apply_silence",
    "cases_deem_accepted",
    "cases_import",
    "cases_recompute_deadlines",
    "open_applications",
    "receiving_site",
]
