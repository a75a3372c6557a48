from django.http import HttpRequest


def site_chrome(request: HttpRequest) -> dict:
    """What every layout needs: the county centre for the header and footer, and for configuration
    administrators the banner asking them to confirm a provisional working-day calendar year."""
    from bianmin.core.admin_site import is_configuration_admin
    from bianmin.core.workdays import provisional_years_needing_confirmation
    from bianmin.org.models import Role, Site
    from bianmin.org.selectors import user_scope

    context = {"county_site": Site.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    if is_configuration_admin(user):
        context["provisional_calendar_years"] = provisional_years_needing_confirmation()
    roles = user_scope(user).roles
    context["edits_catalog"] = user.is_superuser or bool({Role.CENTRE_ADMIN, Role.DEPARTMENT_HEAD} & roles)
    return context
