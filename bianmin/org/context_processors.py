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

    context = {"county_site": SimpleLazyObject(_county_site)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    if is_configuration_admin(user):
        context["provisional_calendar_years"] = SimpleLazyObject(provisional_years_needing_confirmation)
    return context
