"""The staff side of a case's life: my work queue, the case page and its actions, window intake, the site
ledger and the first-inquiry log.

Views stay thin: every read of cases goes through ``selectors.cases_visible_to`` (a clerk of one town never
reaches another town's case by guessing an id), every change is one service call, and a DomainError from the
service is shown to the person with nothing changed (the services run in one transaction).

Modules, one per room: queue, case_page, intake, site_ledger, inquiry_log; _common holds what they share.
"""

from .case_page import case_action, case_detail, material_file, notice_pdf
from .inquiry_log import inquiry_answer_view, inquiry_handover_view, inquiry_list
from .intake import case_intake, intake_check_id
from .queue import case_queue, case_queue_counts
from .site_ledger import site_ledger

__all__ = [
    "case_action",
    "case_detail",
    "case_intake",
    "case_queue",
    "case_queue_counts",
    "inquiry_answer_view",
    "inquiry_handover_view",
    "inquiry_list",
    "intake_check_id",
    "material_file",
    "notice_pdf",
    "site_ledger",
]
