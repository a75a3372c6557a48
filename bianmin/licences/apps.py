from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "bianmin.licences"
    label = "licences"
    verbose_name = _("Electronic licences")

    def ready(self) -> None:
        from bianmin.cases.page_boxes import register_case_page_box
        from bianmin.cases.services.decision import register_certificate_issuer

        from .services import licence_issue
        from .views import licences_case_box

        register_certificate_issuer(lambda **terms: licence_issue(**terms).case)
        register_case_page_box(licences_case_box)
