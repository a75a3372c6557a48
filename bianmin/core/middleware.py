from functools import wraps
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class LanguageMiddleware:
    """Simplified Chinese unless the visitor chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the county's pages are
    in Simplified Chinese by default for everyone, and the choice of another language is explicit.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AuditAttributionMiddleware:
    """Each request starts and ends with no audit attribution: a system token's call sets one for its own events
    (core.audit ``audit_via_set``), and the thread's next request must not inherit it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from bianmin.core.audit import audit_via_cleared

        with audit_via_cleared():
            return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind the deployment's reverse proxy, REMOTE_ADDR becomes the client's address instead of the proxy's.

    Throttles count per address (case tracking, SMS codes, django-axes' login lock): without this, every visitor
    behind the proxy shares one count. Each proxy appends the address it received the request from to
    X-Forwarded-For; the entries left of those our own proxies wrote come from the client and can say anything,
    so the client is the rightmost entry that is not one of TRUSTED_PROXIES. Only requests whose REMOTE_ADDR is
    a trusted proxy are rewritten, and without TRUSTED_PROXIES the header is ignored altogether.
    """

    def __init__(self, get_response):
        if not settings.TRUSTED_PROXIES:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.proxies: list[IPv4Network | IPv6Network] = []
        for entry in settings.TRUSTED_PROXIES:
            try:
                self.proxies.append(ip_network(entry, strict=False))
            except ValueError:
                raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network.") from None

    def __call__(self, request):
        if self._is_proxy(request.META.get("REMOTE_ADDR", "")):
            client = self._client(request.META.get("HTTP_X_FORWARDED_FOR", ""))
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

    def _is_proxy(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.proxies)

    def _client(self, forwarded_for: str) -> str | None:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            try:
                ip_address(hop)
            except ValueError:
                return None  # not an address: keep the proxy's rather than trust it
            if not self._is_proxy(hop):
                return hop
        # Every hop is one of ours (a client on the proxy's own machine): the first is where the request began.
        return hops[0] if hops else None


class ServedByMiddleware:
    """X-Served-By: NODE_NAME on every response, so a check through the load balancer sees which node answered."""

    def __init__(self, get_response):
        if not settings.NODE_NAME:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.node_name = settings.NODE_NAME

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Served-By"] = self.node_name
        return response


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is over MAX_REQUEST_BYTES, answered before a byte of it is read.

    nginx refuses such bodies first in a deployment (client_max_body_size, the same limit); this keeps the limit
    where the application runs without it. A body without Content-Length (chunked) is not read by Django's WSGI
    handler past what the server passes on, and the per-file limit of bianmin.core.uploads applies to each file.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BYTES

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > self.limit:
            text = _("The request is too large: at most %(size)s MB may be sent at once.") % {
                "size": f"{self.limit / (1024 * 1024):g}"
            }
            response = HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
            # The unread body stays on the connection: make the server close it rather than parse it as a request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


def personal_data(view):
    """Mark a view whose pages show someone's personal data: its responses are never stored by a cache
    (PersonalDataNoStoreMiddleware), whether or not the visitor is signed in (the applicant's tracking pages)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.shows_personal_data = True
        return view(request, *args, **kwargs)

    return wrapped


class PersonalDataNoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's other never-cache headers) on every response to a signed-in
    user, to a request with credentials (the API's token clients) and of a view marked ``@personal_data``, so no
    browser, proxy or shared computer keeps a copy of a case, a scan or an applicant's page. One place, so a new
    staff page cannot forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            getattr(request, "shows_personal_data", False)
            or (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
        ):
            add_never_cache_headers(response)
        return response
