from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who logs in: staff of any tier, or an applicant with an online account.

    What a staff member may do comes from their org.RoleAssignment rows, not from Django groups.
    """

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator resets the password: the user chooses a new one at the next login."),
    )
    # The service account of an outside system (org.ExternalSystem): it calls the API with a system token, never
    # logs in to the pages (no usable password, and the login refuses it), and its roles give the token its scope.
    is_system_account = models.BooleanField(_("system account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username
