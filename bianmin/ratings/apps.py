from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "bianmin.ratings"
    label = "ratings"
    verbose_name = _("Ratings of services")

    def ready(self) -> None:
        from bianmin.cases.page_boxes import register_case_page_box

        from .views import ratings_case_box

        register_case_page_box(ratings_case_box)
