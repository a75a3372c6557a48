from django.http import HttpRequest


def site_chrome(request: HttpRequest) -> dict:
    """What every layout needs: the county centre for the header and footer, and for configuration
    administrators the banner asking them to confirm a provisional working-day calendar year."""
    from bianmin.core.admin_site import is_configuration_admin
    from bianmin.core.workdays import provisional_years_needing_confirmation
    from bianmin.org.models import Site

    context = {"county_site": Site.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_configuration_admin(user):
        context["provisional_calendar_years"] = provisional_years_needing_confirmation()
    return context
