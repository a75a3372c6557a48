from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from bianmin.api import api
from bianmin.core import views as core_views

admin.site.site_header = _("Bianmin administration")
admin.site.site_title = _("Bianmin administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("bianmin.accounts.urls")),
    path("workbench/catalog/", include("bianmin.catalog.staff_urls")),
    path("workbench/cases/", include("bianmin.cases.urls")),
    path("cases/", include("bianmin.cases.public_urls")),
    path("workbench/complaints/", include("bianmin.complaints.urls")),
    path("complaints/", include("bianmin.complaints.public_urls")),
    path("rate/", include("bianmin.ratings.public_urls")),
    path("workbench/ratings/", include("bianmin.ratings.urls")),
    path("workbench/duty/", include("bianmin.duty.urls")),
    path("workbench/licences/", include("bianmin.licences.urls")),
    path("workbench/assessment/", include("bianmin.assessment.urls")),
    path("workbench/inspection/", include("bianmin.inspection.urls")),
    path("workbench/imports/", include("bianmin.interconnect.import_urls")),
    path("workbench/interconnect/", include("bianmin.interconnect.urls")),
    path("verify/", include("bianmin.licences.public_urls")),
    path("workbench/", include("bianmin.workbench.urls")),
    path("supervision/statistics/", include("bianmin.statistics.urls")),
    path("supervision/", include("bianmin.supervision.urls")),
    path("items/", include("bianmin.catalog.urls")),
    path("kiosk/", include("bianmin.catalog.kiosk_urls")),
    path("", include("bianmin.portal.urls")),
]

if settings.BENCH_FLOOR_VIEW:
    # The benchmarks' baseline request (bench/http_bench.py); never mounted outside bianmin.settings.bench.
    urlpatterns.insert(0, path("bench/floor/", core_views.bench_floor, name="bench_floor"))

# No route serves MEDIA_ROOT, in any setting (DEBUG included): uploaded files hold personal data and reach people only
# through views that check who may have them (cases' material_file, the catalogue's published forms).
