from django.http import HttpRequest


def site_chrome(request: HttpRequest) -> dict:
    """What every layout needs: the calendar banner for administrators (see bianmin.core.workdays)."""
    from bianmin.core.workdays import provisional_years_needing_confirmation

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"provisional_calendar_years": provisional_years_needing_confirmation()}
