"""Forms of the staff pages. They check the shape of what a person typed and hand it to one service; whether
the move is allowed, and every rule of the law, is the service's to decide (its DomainError is shown).

One module per room: ``lists`` (the queue's and the ledger's filters), ``intake`` (window intake), ``acceptance``
(the moves before acceptance), ``review`` (the moves after it), ``inquiries`` (first inquiries)."""

from ._common import CaseActionForm
from .acceptance import (
    EmptyActionForm,
    ReceiveSupplementForm,
    RefuseForm,
    SupplementForm,
    WaiveMaterialForm,
)
from .inquiries import InquiryAnswerForm, InquiryHandoverForm, InquiryLogForm
from .intake import IntakeForm, MaterialRowForm, material_rows
from .lists import LedgerFilterForm, QueueFilterForm
from .review import (
    CollectFeeForm,
    CompleteTaskForm,
    DecideExtensionForm,
    DecideForm,
    DeliverForm,
    IssueCertificateForm,
    MarkReadyForm,
    RequestExtensionForm,
    SuspendForm,
    WithdrawForm,
)

__all__ = [
    "CaseActionForm",
    "CollectFeeForm",
    "CompleteTaskForm",
    "DecideExtensionForm",
    "DecideForm",
    "DeliverForm",
    "EmptyActionForm",
    "InquiryAnswerForm",
    "InquiryHandoverForm",
    "InquiryLogForm",
    "IntakeForm",
    "IssueCertificateForm",
    "LedgerFilterForm",
    "MarkReadyForm",
    "MaterialRowForm",
    "QueueFilterForm",
    "ReceiveSupplementForm",
    "RefuseForm",
    "RequestExtensionForm",
    "SupplementForm",
    "SuspendForm",
    "WaiveMaterialForm",
    "WithdrawForm",
    "material_rows",
]
