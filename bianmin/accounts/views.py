from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from bianmin.core.cache import count_within

from . import services
from .forms import PasswordChangeForm

# Wrong current passwords one account may type on its password page before it must wait: a session left open on
# a counter must not become a way to guess the password (the login page has django-axes for the same).
WRONG_CURRENT_PASSWORD_LIMIT = 5
WRONG_CURRENT_PASSWORD_SECONDS = 15 * 60


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    """A person changes their own password; a forced reset sends them here until they do."""
    form = PasswordChangeForm(request.POST or None)
    wrong_key = f"password-change-wrong:{request.user.pk}"
    if request.method == "POST" and (cache.get(wrong_key) or 0) >= WRONG_CURRENT_PASSWORD_LIMIT:
        form.is_valid()
        form.add_error(
            None,
            _("Too many wrong current passwords. Nothing was changed; try again in %(minutes)d minutes.")
            % {"minutes": WRONG_CURRENT_PASSWORD_SECONDS // 60},
        )
        return TemplateResponse(
            request,
            "accounts/password_change.html",
            {"form": form, "must_change_password": request.user.must_change_password},
            status=429,
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except services.PasswordWrong as error:
            count_within(wrong_key, WRONG_CURRENT_PASSWORD_SECONDS)
            form.add_error("current_password", str(error.message))
        except services.PasswordRejected as error:
            for message in error.messages:
                form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, request.user)  # this session stays logged in, every other one ends
            messages.success(request, _("Your password was changed."))
            return redirect("workbench:home")
    return TemplateResponse(
        request,
        "accounts/password_change.html",
        {"form": form, "must_change_password": request.user.must_change_password},
        status=400 if form.errors else 200,
    )
