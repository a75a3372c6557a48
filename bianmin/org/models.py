from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bianmin.core.names import localized


class SiteLevel(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class Site(models.Model):
    """A place where the public is served: the county centre and its branches, a town hall, a village room.

    ``path`` is the chain of ancestor codes ("/YX/BS/BSC/"): a site's subtree is one indexed prefix match.
    """

    class Kind(models.TextChoices):
        MAIN = "main", _("Main centre")
        BRANCH = "branch", _("Branch centre")
        HALL = "hall", _("Service hall")
        ROOM = "room", _("Service room")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("Short upper-case code used in tracking numbers, for example BS for 白沙镇."),
    )
    name = models.CharField(_("name"), max_length=80)
    level = models.CharField(_("level"), max_length=8, choices=SiteLevel.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="county") | Q(parent__isnull=False), name="site_below_county_has_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # The tree's shape is a rule of the plan: county centre > town hall > village room; branches hang
    # under the county centre. The admin and the services both validate through clean().
    ALLOWED_PARENT_LEVEL = {
        SiteLevel.COUNTY: (None, SiteLevel.COUNTY),
        SiteLevel.TOWN: (SiteLevel.COUNTY,),
        SiteLevel.VILLAGE: (SiteLevel.TOWN,),
    }

    def clean(self) -> None:
        parent_level = self.parent.level if self.parent_id else None
        if parent_level not in self.ALLOWED_PARENT_LEVEL[self.level]:
            raise ValidationError({"parent": _("A site of this level cannot sit under the chosen parent.")})
        if self.level == SiteLevel.COUNTY and self.parent_id and self.kind != self.Kind.BRANCH:
            raise ValidationError({"kind": _("A county site under another county site must be a branch centre.")})
        if self.code and not self.code.isalnum():
            raise ValidationError({"code": _("The code may contain only letters and digits.")})

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"


class Department(models.Model):
    """A functional department that owns service items and staffs windows (职能部门 / 窗口单位)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    # The kiosk's and the portal's tiles show the reader's language (core.names); empty: the Simplified text.
    short_name_zh_hant = models.CharField(_("short name in Traditional Chinese"), max_length=20, blank=True)
    short_name_en = models.CharField(_("short name in English"), max_length=40, blank=True)
    is_licensing = models.BooleanField(
        _("has licensing items"),
        default=False,
        help_text=_("Such a department must keep a window at the county centre."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def tile_name(self) -> str:
        """The short name in the reader's language for tiles and chips (the full name where there is none)."""
        return localized(self, "short_name") or self.name


def window_number_order(prefix: str = "") -> list:
    """Windows by number in natural order, 1, 2, … 10, 11 (shorter numbers first, then as text): ``prefix`` is the
    path to the window, e.g. ``"window__"``."""
    return [Length(f"{prefix}number"), f"{prefix}number"]


class Window(models.Model):
    """A counter at a site, staffed for one or more departments; its number is shown on the hall's screens."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="windows")
    number = models.CharField(_("window number"), max_length=10)
    name = models.CharField(_("name"), max_length=80)
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), related_name="windows")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        # Natural order (1, 2, … 10, 11, not 1, 10, 11, 2): the numbers are text ("5", "12", "A3").
        ordering = ["site__path", Length("number"), "number"]
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="window_number_unique_per_site")]

    def __str__(self) -> str:
        return gettext("%(site)s window %(number)s") % {"site": self.site.name, "number": self.number}


class Role(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    CHIEF_REPRESENTATIVE = "chief_representative", _("Chief representative")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    AGENT = "agent", _("Agent")
    CENTRE_ADMIN = "centre_admin", _("Centre administrator")
    SUPERVISOR = "supervisor", _("Supervisor")


# Which roles are held at a site, at a department, or at both. Checked by RoleAssignment.clean().
ROLES_NEEDING_SITE = {Role.CLERK, Role.AGENT, Role.CENTRE_ADMIN, Role.SUPERVISOR}
ROLES_NEEDING_DEPARTMENT = {Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD}


class RoleAssignment(models.Model):
    """One role a person holds at a site and/or a department. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    # 挂牌上岗: the number on the staff member's badge, shown with their name on the window's screen.
    badge_number = models.CharField(_("badge number"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "site", "department"], name="role_assignment_unique"),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="role_user_active_idx")]

    def __str__(self) -> str:
        where = " / ".join(str(part) for part in (self.site, self.department) if part)
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        errors = {}
        if self.role in ROLES_NEEDING_SITE and not self.site_id:
            errors["site"] = _("This role is held at a site; choose the site.")
        if self.role in ROLES_NEEDING_DEPARTMENT and not self.department_id:
            errors["department"] = _("This role is held for a department; choose the department.")
        if self.window_id and self.site_id and self.window.site_id != self.site_id:
            errors["window"] = _("The window must belong to the chosen site.")
        if errors:
            raise ValidationError(errors)


class Delegation(models.Model):
    """What a chief representative may decide at the window, and for how long (首席代表制).

    ``item_codes`` lists catalogue codes or code prefixes (codes are hierarchical: department, then
    sequence); an empty list means every item of the department.
    """

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accept or refuse applications")
        SUPPLEMENT = "supplement", _("Issue supplement notices")
        APPROVE = "approve", _("Approve")
        DENY = "deny", _("Deny")
        EXTEND = "extend", _("Extend the time limit")
        ISSUE_CERTIFICATE = "issue_certificate", _("Issue certificates")

    assignment = models.ForeignKey(
        RoleAssignment,
        verbose_name=_("chief representative"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    decisions = models.JSONField(_("decisions"), default=list)
    item_codes = models.JSONField(_("item codes"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    document_number = models.CharField(_("authorisation document number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.assignment} {self.valid_from}–{self.valid_to or '…'}"

    def clean(self) -> None:
        errors = {}
        if self.assignment_id and self.assignment.role != Role.CHIEF_REPRESENTATIVE:
            errors["assignment"] = _("Only a chief representative can hold a delegation.")
        valid = set(Delegation.Decision.values)
        if not self.decisions or not isinstance(self.decisions, list) or set(self.decisions) - valid:
            errors["decisions"] = _("Choose one or more of the listed decisions.")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date must not be before the start date.")
        if errors:
            raise ValidationError(errors)

    def covers(self, *, decision: str, item_code: str, on) -> bool:
        if decision not in self.decisions:
            return False
        if on < self.valid_from or (self.valid_to and on > self.valid_to):
            return False
        return not self.item_codes or any(item_code.startswith(code) for code in self.item_codes)


class TokenScope(models.TextChoices):
    """The operations a system token may call: every API operation belongs to exactly one of them
    (``bianmin/api_tokens.py OPERATION_SCOPES``)."""

    CASES_READ = "cases.read", _("Read cases")
    CASES_INTAKE = "cases.intake", _("Write intake (register cases)")
    CASES_ACT = "cases.act", _("Act on cases")
    CATALOG_READ = "catalog.read", _("Read the catalogue")
    COMPLAINTS_READ = "complaints.read", _("Read complaints")
    COMPLAINTS_WRITE = "complaints.write", _("Send work orders (12345) and handle complaints")
    LICENCES_READ = "licences.read", _("Read licences")
    LICENCES_ACT = "licences.act", _("Change, replace and revoke licences")
    SUPERVISION_READ = "supervision.read", _("Read supervision data")
    SUPERVISION_ACT = "supervision.act", _("Act on alerts, supervision orders and accountability")
    RATINGS_ACT = "ratings.act", _("Rectify bad reviews and decide appeals")
    DUTY_WRITE = "duty.write", _("Keep the duty roster")
    ORG_READ = "org.read", _("Read the organisation and the calendar")
    EVENTS_READ = "events.read", _("Read the event feed")


class ExternalSystem(models.Model):
    """An outside system that calls the API (the city platform, the 12345 hotline, a bank's fee gateway …).

    It acts as its service account: a user flagged ``is_system_account`` whose role assignments are the
    system's sites and departments, so every selector and service permission applies to its calls unchanged.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    contact = models.CharField(_("contact"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    service_account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="external_system",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("external system")
        verbose_name_plural = _("external systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SystemToken(models.Model):
    """A bearer token of a system: ``<prefix>.<secret>``. Only the SHA-256 of the whole token is stored; the
    secret (32 random bytes) is shown once, when it is created."""

    system = models.ForeignKey(
        ExternalSystem, verbose_name=_("system"), on_delete=models.PROTECT, related_name="tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("system token")
        verbose_name_plural = _("system tokens")
        ordering = ["system_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.system} · {self.name} ({self.prefix})"

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"
