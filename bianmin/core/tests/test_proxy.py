"""Behind the reverse proxy: the client's address from X-Forwarded-For (trusted proxies only), and X-Served-By."""

import pytest
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from bianmin.accounts.models import User
from bianmin.core.middleware import ServedByMiddleware, TrustedProxyMiddleware


def _seen_address(*, peer: str, forwarded_for: str | None = None, proxies: list[str]) -> str:
    """REMOTE_ADDR as the views see it, for a request from ``peer`` carrying ``forwarded_for``."""
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **headers)
    with override_settings(TRUSTED_PROXIES=proxies):
        middleware = TrustedProxyMiddleware(lambda request: HttpResponse(request.META["REMOTE_ADDR"]))
    return middleware(request).content.decode()


def test_the_client_address_comes_from_the_proxy_header():
    assert _seen_address(peer="127.0.0.1", forwarded_for="203.0.113.9", proxies=["127.0.0.1"]) == "203.0.113.9"


def test_addresses_the_client_wrote_before_the_proxies_are_ignored():
    seen = _seen_address(peer="10.0.0.2", forwarded_for="1.2.3.4, 203.0.113.9, 10.0.0.1", proxies=["10.0.0.0/24"])

    assert seen == "203.0.113.9"


def test_a_request_not_from_a_trusted_proxy_keeps_its_address():
    assert _seen_address(peer="198.51.100.7", forwarded_for="1.2.3.4", proxies=["127.0.0.1"]) == "198.51.100.7"


@pytest.mark.parametrize("forwarded_for", [None, "", "not-an-address", "1.2.3.4, unknown"])
def test_a_missing_or_garbled_header_keeps_the_proxy_address(forwarded_for):
    assert _seen_address(peer="127.0.0.1", forwarded_for=forwarded_for, proxies=["127.0.0.1"]) == "127.0.0.1"


def test_a_client_on_the_proxy_machine_is_that_machine():
    assert _seen_address(peer="127.0.0.1", forwarded_for="127.0.0.1", proxies=["127.0.0.1", "::1"]) == "127.0.0.1"


def test_without_trusted_proxies_the_header_is_not_read():
    with override_settings(TRUSTED_PROXIES=[]), pytest.raises(MiddlewareNotUsed):
        TrustedProxyMiddleware(lambda request: HttpResponse())


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    with override_settings(TRUSTED_PROXIES=["nginx"]), pytest.raises(ImproperlyConfigured, match="'nginx'"):
        TrustedProxyMiddleware(lambda request: HttpResponse())


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=["127.0.0.1"])
def test_the_login_lock_behind_the_proxy_is_per_client_not_for_everyone():
    User.objects.create_user(username="clerk", password="correct-horse-9", is_staff=True)
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(3):
        attacker.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")

    locked = attacker.post("/accounts/login/", {"username": "clerk", "password": "correct-horse-9"})
    allowed = colleague.post("/accounts/login/", {"username": "clerk", "password": "correct-horse-9"})

    assert locked.status_code == 429
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_each_response_names_the_node_when_it_has_a_name():
    with override_settings(NODE_NAME="node-b"):
        named = Client().get("/healthz")
    unnamed = Client().get("/healthz")

    assert named.headers["X-Served-By"] == "node-b"
    assert "X-Served-By" not in unnamed.headers


def test_without_a_node_name_the_header_middleware_steps_aside():
    with override_settings(NODE_NAME=""), pytest.raises(MiddlewareNotUsed):
        ServedByMiddleware(lambda request: HttpResponse())
