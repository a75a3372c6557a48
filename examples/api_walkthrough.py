"""Take one case from intake to delivery through the REST API, knowing only its OpenAPI document and a system token.

    python examples/api_walkthrough.py --url http://127.0.0.1:8000 --token bm_… --item SJ-0004 --site YX

The script reads ``/api/v1/openapi.json`` and finds every operation by its operation id there: it builds no URL
itself. It asks who it is (``/org/me``), reads the item's guide (its material ids and fee rule ids), receives an
application with every material provided, then makes, as long as the case allows one, the next move that the
case's ``allowed_actions`` offers (accept, each review step, the decision, the licence, the fee, ready, the
result's arrival, the handover, the signed receipt), and at the end prints each notice's full text and saves its
PDF. The token's system must hold the roles the item's steps need (a county clerk and the department's chief
representative and head, say); a move it may not make ends the walk with the API's problem answer.

Exit status 0 when the case was delivered, 1 otherwise. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

# The moves the walk makes, in the order it prefers them when a case allows several (each an operation id's end).
MOVES = [
    "accept_case",
    "complete_task",
    "decide_case",
    "issue_certificate",
    "collect_fee",
    "mark_ready",
    "receive_result",
    "deliver_case",
    "record_signature",
]
ACTION_OF_MOVE = {
    "accept_case": "accept",
    "complete_task": "complete_task",
    "decide_case": "decide",
    "issue_certificate": "issue_certificate",
    "collect_fee": "collect_fee",
    "mark_ready": "mark_ready",
    "receive_result": "receive_result",
    "deliver_case": "deliver",
    "record_signature": "record_signature",
}


class ApiError(Exception):
    def __init__(self, status: int, body: dict | str) -> None:
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class Client:
    """Calls operations by id, as the OpenAPI document describes them, with the token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token
        document = self._send("GET", "/api/v1/openapi.json", authenticated=False)
        self.operations: dict[str, tuple[str, str]] = {}
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                self.operations[operation["operationId"]] = (method.upper(), path)

    def operation(self, name: str) -> tuple[str, str]:
        """The operation whose id ends with ``_api_<name>`` (an id is the API module's path and its function's name)."""
        found = [key for key in self.operations if key == name or key.endswith(f"_api_{name}")]
        if len(found) != 1:
            raise SystemExit(f"The OpenAPI document has {len(found)} operations named {name!r}.")
        return self.operations[found[0]]

    def call(self, name: str, *, body: dict | None = None, query: dict | None = None, raw: bool = False, **path):
        method, template = self.operation(name)
        target = template.format(**path)
        if query:
            target += "?" + urlencode(query)
        headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
        return self._send(method, target, body=body, headers=headers, raw=raw)

    def _send(self, method, target, *, body=None, headers=None, authenticated=True, raw=False):
        request = Request(self.url + target, method=method, headers={"Accept": "application/json", **(headers or {})})
        if authenticated:
            request.add_header("Authorization", f"Bearer {self.token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            with urlopen(request, data=data, timeout=30) as answer:
                content = answer.read()
        except HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                raise ApiError(error.code, json.loads(text)) from None
            except json.JSONDecodeError:
                raise ApiError(error.code, text) from None
        return content if raw else json.loads(content)


def _items_of(page) -> list:
    return page["items"] if isinstance(page, dict) else page


def _intake_body(guide: dict, site: str) -> dict:
    materials = [
        {"requirement_id": material["id"], "state": "provided", "original_seen": True, "copy_kept": True}
        for material in guide["materials"]
    ]
    return {
        "item": guide["code"],
        "channel": "window",
        "receiving_site": site,
        "applicant": {
            "name": "接口演示",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "13800000000",
            "address": "县城人民路1号",
        },
        "materials": materials,
        "details": "由接口示例脚本提交",
    }


def _move(client: Client, case: dict, move: str, guide: dict) -> dict:
    """Make one move on the case; answers the case as it now is."""
    case_id = case["id"]
    if move == "complete_task":
        task = next(task for task in case["tasks"] if task["state"] == "open")
        client.call(move, case_id=case_id, task_id=task["id"], body={"outcome": "agree", "comment": "同意"})
        print(f"  step {task['position']} {task['name']}: agreed")
    elif move == "decide_case":
        client.call(move, case_id=case_id, body={"approve": True, "reasons": "材料齐全，符合法定条件"})
    elif move == "issue_certificate":
        client.call(move, case_id=case_id, body={})
    elif move == "collect_fee":
        rules = [rule["id"] for rule in guide["fees"]]
        amount = sum(float(rule.get("amount") or 0) for rule in guide["fees"]) or 1
        client.call(move, case_id=case_id, body={"fee_rule_ids": rules, "amount": f"{amount:.2f}"})
    elif move == "deliver_case":
        client.call(move, case_id=case_id, body={"note": "申请人本人领取"})
    else:
        client.call(move, case_id=case_id, body={})
    if move != "complete_task":
        print(f"  {move}")
    return client.call("get_case", case_id=case_id)


def walk(client: Client, item: str, site: str, out: Path) -> bool:
    me = client.call("me")
    system = me.get("system") or {}
    print(f"Calling as {system.get('name') or me.get('username')}, scopes: {', '.join(system.get('scopes', []))}")
    guide = client.call("get_item", code=item)
    case = client.call("create_case", body=_intake_body(guide, site))
    case = client.call("get_case", case_id=case["id"])
    print(f"Received {case['tracking_number']} ({guide['name']}), status {case['status']}")
    for _ in range(40):
        allowed = set(case["allowed_actions"])
        move = next((move for move in MOVES if ACTION_OF_MOVE[move] in allowed), None)
        if move is None:
            break
        case = _move(client, case, move, guide)
    print(f"Status now: {case['status']} ({case['status_label']})")
    out.mkdir(parents=True, exist_ok=True)
    for notice in _items_of(client.call("list_notices", case_id=case["id"])):
        detail = client.call("get_notice", case_id=case["id"], notice_id=notice["id"])
        print(f"\n=== {detail['title']} {detail['number']} ===\n{detail['text']}")
        pdf = client.call("notice_pdf", case_id=case["id"], notice_id=notice["id"], raw=True)
        target = out / f"{detail['number'] or notice['id']}.pdf"
        target.write_bytes(pdf)
        print(f"[PDF, {len(pdf)} bytes: {target}]")
    return case["delivered_at"] is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--item", default="SJ-0004")
    parser.add_argument("--site", default="YX", help="The code of the receiving site.")
    parser.add_argument("--out", default="var/api-walkthrough", help="Where the notices' PDFs are saved.")
    options = parser.parse_args(argv)
    try:
        delivered = walk(Client(options.url, options.token), options.item, options.site, Path(options.out))
    except ApiError as error:
        print(f"The API refused: {error}", file=sys.stderr)
        return 1
    print("\nDelivered." if delivered else "\nNot delivered.")
    return 0 if delivered else 1


if __name__ == "__main__":
    sys.exit(main())
