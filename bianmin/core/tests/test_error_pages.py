"""With DEBUG off (the demo, production) errors show the site's own pages, in the visitor's language."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path


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
