from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from bianmin.core.api_contract import problem_response


class PasswordChangeRequiredMiddleware:
    """After an administrator's reset, every page sends the person to the password page until they choose their own.

    Logging out, switching the language and static files stay reachable; the API answers 403 instead of
    redirecting a client that cannot follow, and an htmx request is told to load the password page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password or self._exempt(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return problem_response("password_change_required", _("Change your password before you continue."), 403)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("accounts:password_change"))
        return redirect("accounts:password_change")

    @staticmethod
    def _exempt(request) -> bool:
        if request.path in (reverse("accounts:password_change"), reverse("accounts:logout")):
            return True
        return request.path.startswith(("/i18n/", "/" + settings.STATIC_URL.lstrip("/")))
