from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bianmin.org.models import Site


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with a database round-trip: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# The site read by the floor view; any primary key costs the same single-row index lookup.
FLOOR_SITE_PK = 1


@require_GET
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The benchmarks' floor: the whole middleware stack and one primary-key query, nothing else.

    bench/http_bench.py times it between the requests of each scenario, so a page's time reads as a multiple of
    what any request costs on the same server, database and machine. Mounted only with BENCH_FLOOR_VIEW.
    """
    code = Site.objects.filter(pk=FLOOR_SITE_PK).values_list("code", flat=True).first()
    return HttpResponse(code or "-", content_type="text/plain; charset=utf-8")
