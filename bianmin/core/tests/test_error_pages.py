"""With DEBUG off (the demo, production) errors show the site's own pages, in the visitor's language."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from bianmin.core.testing import logged_in, visitor


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


# The site's URLs (the error pages link to them) and two views that fail.
urlpatterns = [path("broken/", _broken), path("forbidden/", _forbidden), path("", include("bianmin.urls"))]


@pytest.mark.django_db
def test_a_missing_page_is_the_portal_s_404_page(settings):
    assert settings.DEBUG is False

    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_the_404_page_in_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert "Page not found" in client.get("/no-such-page/").content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_the_plain_500_page():
    response = Client(raise_request_exception=False).get("/broken/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in body
    assert "a bug" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_is_the_403_page():
    response = Client().get("/forbidden/")

    assert response.status_code == 403
    assert "无权" in response.content.decode()


# --- Every error page says what to do next ---------------------------------------------------------------------------


def _links(response) -> list[str]:
    main = response.content.decode().split('<main id="main"', 1)[1]
    return re.findall(r'<li><a href="([^"]+)"', main)


def test_a_wrong_case_id_is_the_404_page_with_the_way_back_to_the_work_queue(county):
    response = logged_in("county_clerk").get("/workbench/cases/999999/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert 'action="/items/"' in response.content.decode()  # the guide's search
    assert _links(response) == ["/workbench/cases/", "/workbench/", "/"]


def test_a_missing_page_tells_a_citizen_where_to_search_and_track(county):
    response = visitor(language="en").get("/cases/no-such-page/")

    assert response.status_code == 404
    assert "Search the service guide" in response.content.decode()
    assert _links(response) == ["/cases/track/", "/"]


def test_a_centre_administrator_refused_a_page_is_told_the_way_back_in_their_language(county):
    # Given a page that refuses centre administrators (the rule settings are for supervisors and department leads)
    for language, words in (("zh-hans", "无权"), ("en", "What you can do next")):
        response = logged_in("centre_admin", language=language).get("/supervision/rules/")

        # Then the site's own page, in their language, offers the workbench, another account and the home page
        assert response.status_code == 403
        assert words in response.content.decode()
        assert "403 Forbidden" not in response.content.decode()
        assert _links(response) == ["/workbench/", "/accounts/login/?next=/supervision/rules/", "/"]


@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_without_an_account_offers_the_staff_login_and_the_tracking_page(county):
    response = visitor(language="en").get("/forbidden/")

    assert response.status_code == 403
    assert _links(response) == ["/accounts/login/?next=/forbidden/", "/cases/track/", "/"]


@pytest.mark.django_db
def test_the_favicon_is_a_small_icon_not_an_error_page():
    response = Client().get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header
