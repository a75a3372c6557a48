"""The one masking policy holds on everything the public can reach (issue 11, 办事公开): every URL pattern and every
API operation an anonymous visitor may call is fetched over the access matrix's world, whose cases are 张三's with a
known identity number, phone and address, and no response may show any of them unmasked.

The endpoints come from the URLconf and the OpenAPI document, and which of them are public from the access matrix's
``ENTRIES`` (a new endpoint cannot be added without its line there): a public page added later is scanned without
touching this file. Objects named in a URL are the matrix's, for both places (the visitor's "in" and "out").
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from bianmin.api import api
from bianmin.core.masking import mask_address
from bianmin.core.testing import ID_NUMBER

from .test_access_matrix import ENTRIES, IN, OUT, PAGE_BODIES, _api_body, _has_objects, _url, endpoints, world

__all__ = ["world"]  # the matrix's module-scoped world, shared

APPLICANT_NAME = "张三"
APPLICANT_PHONE = "13800000000"
APPLICANT_ADDRESS = "阳新县白沙镇白沙村三组"
# What must never appear: the name, the whole identity number or phone, and the address beyond the village (also its
# middle digits: any 8 consecutive digits of the ID's hidden part would give it away).
UNMASKED = {
    "name": APPLICANT_NAME,
    "identity number": ID_NUMBER,
    "identity number (hidden part)": ID_NUMBER[6:14],
    "phone": APPLICANT_PHONE,
    "address": APPLICANT_ADDRESS,
}


def _public_operations() -> set[str]:
    """The API operations the OpenAPI document lists without a security requirement."""
    paths = api.get_openapi_schema()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, methods in paths.items()
        for method, operation in methods.items()
        if not operation.get("security")
    }


def public_endpoints() -> list[str]:
    open_operations = _public_operations()
    found = []
    for endpoint in endpoints():
        entry = ENTRIES.get(endpoint)
        if entry is None:
            continue  # test_access_matrix names it
        is_api = " " in endpoint
        if entry.allowed("anonymous", IN) or (is_api and endpoint in open_operations):
            found.append(endpoint)
    return found


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:  # \u escapes would hide a name from a plain search
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            pass
    return body.decode("utf-8", errors="ignore")


def test_the_scan_covers_the_disclosure_pages_and_the_public_api():
    found = public_endpoints()
    for endpoint in (
        "results/",
        "results/feed.atom",
        "results/feed.json",
        "sites/<str:code>/",
        "screens/<str:code>/",
        "screens/<str:code>/windows/<str:number>/",
        "cases/track/",
        "GET /api/v1/catalog/items",
    ):
        assert endpoint in found
    # Every API operation without a security requirement is public in the matrix too.
    assert {operation for operation in _public_operations() if operation in ENTRIES} <= set(found)


def test_the_world_holds_the_known_values_and_the_board_shows_them_masked(world, db):
    built, _sessions = world
    case = built.places["BS"].in_status["approved"]
    assert (case.applicant_name, case.applicant_id_number, case.applicant_phone, case.applicant_address) == (
        APPLICANT_NAME,
        ID_NUMBER,
        APPLICANT_PHONE,
        APPLICANT_ADDRESS,
    )
    board = Client().get("/results/").content.decode()
    assert f'id="case-{case.pk}"' in board
    assert "张**" in board
    assert mask_address(APPLICANT_ADDRESS) == "阳新县白沙镇白沙村"


@pytest.mark.parametrize("endpoint", public_endpoints())
def test_no_public_endpoint_shows_personal_data_unmasked(world, db, endpoint):
    built, _sessions = world
    entry = ENTRIES[endpoint]
    sides = (IN, OUT) if _has_objects(endpoint, entry) else (IN,)
    for side in sides:
        method, url = _url(endpoint, entry, built, "anonymous", side)
        client = Client()
        if " " in endpoint and method != "GET":
            response = client.generic(
                method, url, json.dumps(_api_body(endpoint, "anonymous", side)), content_type="application/json"
            )
        elif method == "POST":
            response = client.post(url, PAGE_BODIES.get(endpoint, {}))
        else:
            response = client.get(url)
        assert response.status_code < 500, f"{method} {url}: {response.status_code}"
        text = _text(response)
        shown = [what for what, value in UNMASKED.items() if value in text]
        assert shown == [], f"{method} {url} shows unmasked: {shown}"
