from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .menu import MAIN_MENU, SUPERVISION_MENU, menu_for, shows_supervision_menu


def workbench_menu(request: HttpRequest) -> dict:
    """The workbench layout's menus (menu.py), lazy: an htmx partial or a portal page does not compute them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "main_menu": SimpleLazyObject(lambda: menu_for(user, MAIN_MENU, match)),
        "supervision_menu": SimpleLazyObject(
            lambda: menu_for(user, SUPERVISION_MENU, match) if shows_supervision_menu(match) else []
        ),
    }
