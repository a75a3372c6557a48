from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import PasswordChangeForm


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    """A person changes their own password; a forced reset sends them here until they do."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except services.PasswordWrong as error:
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
