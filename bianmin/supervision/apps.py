from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "bianmin.supervision"
    label = "supervision"
    verbose_name = _("Electronic supervision")

    def ready(self) -> None:
        from bianmin.cases.page_boxes import register_case_page_box

        from .views.case_box import supervision_case_box

        register_case_page_box(supervision_case_box)
