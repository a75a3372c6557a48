from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _county_site():
    from .models import Site

    return Site.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()


def site_chrome(request: HttpRequest) -> dict:
    """What every layout needs: the county centre for the header and footer, and for configuration
    administrators the banner asking them to confirm a provisional working-day calendar year.

    The values that need a query are lazy: a page that does not show them (an htmx partial, a page without the
    header) does not read them."""
    from bianmin.core.admin_site import is_configuration_admin
    from bianmin.core.workdays import provisional_years_needing_confirmation

    from .models import Role
    from .selectors import user_scope

    context = {"county_site": SimpleLazyObject(_county_site)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    if is_configuration_admin(user):
        context["provisional_calendar_years"] = SimpleLazyObject(provisional_years_needing_confirmation)
    scope = user_scope(user)
    # A department-wide head edits the department's items; a town's reviewer (a head held at a town) does not.
    context["edits_catalog"] = (
        user.is_superuser or Role.CENTRE_ADMIN in scope.roles or bool(scope.departments_of(Role.DEPARTMENT_HEAD))
    )
    return context
