import datetime
import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bianmin.core.models import CalendarDay


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


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, for the load balancer and the deployment's checks: 200 when this node can serve the product.

    The database answers, it has every migration this code knows (a node started before `migrate` finished
    would fail on missing columns), and the shared cache takes a write and gives it back. 503 otherwise, with
    the failing part named.
    """
    checks = {"database": "ok", "migrations": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        checks["database"] = checks["migrations"] = "unreachable"
    else:
        if _unapplied_migrations():
            checks["migrations"] = "pending"
    checks["cache"] = "ok" if _cache_round_trip() else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


def _unapplied_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _cache_round_trip() -> bool:
    key, token = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, token, 10)
        ok = cache.get(key) == token
        cache.delete(key)
    # Redis refusing a connection, a missing cache table, a timeout: each one means "not ready", never a 500.
    except Exception:
        return False
    return ok


# The calendar day read by the floor view; any primary key costs the same single-row index lookup.
FLOOR_DATE = datetime.date(2024, 1, 1)


@require_GET
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The benchmarks' floor: the whole middleware stack and one primary-key query, nothing else.

    bench/http_bench.py times it between the requests of each scenario, so a page's time reads as a multiple of
    what any request costs on the same server, database and machine. Mounted only with BENCH_FLOOR_VIEW.
    """
    ordinal = CalendarDay.objects.filter(pk=FLOOR_DATE).values_list("ordinal", flat=True).first()
    return HttpResponse("-" if ordinal is None else str(ordinal), content_type="text/plain; charset=utf-8")
