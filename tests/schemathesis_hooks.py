"""schemathesis hooks for the API's contract test (loaded through SCHEMATHESIS_HOOKS by tests/test_api_contract.py).

A request the schema calls valid may still be refused for what no schema can say: the law's rules (400), the
case's state (409), a reference to an item or site that does not exist (422 ``unknown_*``). schemathesis.toml lets
those statuses through positive_data_acceptance; this check keeps that check strict about the rest: a valid
request is never refused as malformed.
"""

import schemathesis

# 422 answers about the data, not the request's shape.
REFERENCE_CODES = ("unknown_", "idempotency_key_reused")


@schemathesis.check
def valid_requests_are_well_formed(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        code = response.json().get("code", "")
    except ValueError:
        code = ""
    if not code.startswith(REFERENCE_CODES):
        raise AssertionError(f"A request the schema calls valid was refused as malformed: {response.text[:500]}")
    return None
