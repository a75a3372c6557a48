"""Check a running deployment of several web nodes through its load balancer (`make deploy-check`).

Against the trial of `make deploy-local` (or any deployment with the demo county whose nodes send X-Served-By):

1. /readyz answers 200 from every node;
2. the demo clerk logs in, and the session is valid on every node;
3. the shared cache: a phone code asked for through one node, asked for again through another, is refused as
   too soon (the 60-second resend throttle), which only a cache the nodes share can know;
4. shared files: a scan uploaded with a case at the window through one node is served by every node.

Each step says which node answered. Exit status 0 when every check passed, 1 otherwise. The check registers
one case for a made-up applicant (部署检查) each time it runs.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import secrets
import sys
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

USERNAME = "county_clerk"
PASSWORD = "Bianmin-demo-2026"  # every demo account's (README, "Demo accounts")
ITEM = "SJ-0004"  # 食品经营许可: received at the county centre, where county_clerk works, and applied for online
# How many requests may go to the load balancer before a given node has answered one.
TRIES_PER_NODE = 20
# Requests to /readyz: round robin over two or three nodes reaches each several times.
READY_REQUESTS = 8
# Codes asked for again before one request reaches another node; below the application's 10 codes an hour from
# one address, so the limit cannot be what refuses them.
SECOND_ASK_TRIES = 5
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class CheckFailed(Exception):
    """One check did not hold; the message says what was seen."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def node(self) -> str:
        return self.headers.get("X-Served-By", "?")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """A browser's part of HTTP: cookies, and a fresh connection per request so the balancer chooses each time.

    Every request leaves from the same loopback address, chosen at random for this run: the application sees it
    through X-Forwarded-For, so the per-address limits it counts (codes asked for in an hour) start afresh on
    each run instead of running out after a few runs from 127.0.0.1.
    """

    base: str
    source: str = field(default_factory=lambda: f"127.0.0.{random.randint(2, 254)}")
    cookies: dict[str, str] = field(default_factory=lambda: {"django_language": "en"})

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Response:
        parts = urlsplit(self.base)
        source = (self.source, 0) if parts.hostname == "127.0.0.1" else None
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30, source_address=source)
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = content_type
            # Django compares these with the host for the CSRF check, as it would a browser's.
            headers["Origin"] = f"{parts.scheme}://{parts.netloc}"
            headers["Referer"] = f"{parts.scheme}://{parts.netloc}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None) -> Response:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body, content_type)

    def get_on(self, node: str, path: str) -> Response:
        """GET ``path`` through the balancer until ``node`` answers it (GET only: it must be safe to repeat)."""
        for _ in range(TRIES_PER_NODE):
            response = self.get(path)
            if response.node == node:
                return response
        raise CheckFailed(f"{node} answered none of {TRIES_PER_NODE} requests for {path}.")


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def resident_id() -> str:
    """A resident identity number of 阳新县 (420222) with a valid check digit (GB 11643)."""
    body = f"420222{random.randint(1960, 2000)}0{random.randint(1, 9)}1{random.randint(0, 8)}{random.randint(100, 999)}"
    total = sum(int(digit) * weight for digit, weight in zip(body, RESIDENT_ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def tiny_pdf(marker: str) -> bytes:
    """A small PDF whose bytes are this run's own, so the file read back is known to be the one uploaded."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% bianmin deployment check {marker}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def check_ready(browser: Browser) -> list[str]:
    """/readyz through the balancer, enough times to reach every node: one line per node that answered."""
    seen: dict[str, Response] = {}
    for _ in range(READY_REQUESTS):
        response = browser.get("/readyz")
        seen.setdefault(response.node, response)
    if "?" in seen:
        raise CheckFailed("a response without X-Served-By: set NODE_NAME on every node.")
    if len(seen) < 2:
        raise CheckFailed(f"only {', '.join(seen)} answered {READY_REQUESTS} requests: is a node down?")
    lines = []
    for node, response in sorted(seen.items()):
        if response.status != 200:
            raise CheckFailed(f"/readyz on {node}: {response.status} {response.text}")
        lines.append(f"{node} {response.text}")
    return lines


def log_in(browser: Browser) -> str:
    browser.get("/accounts/login/")  # the CSRF cookie
    response = browser.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
    if response.status != 302 or "/workbench/" not in response.headers.get("Location", ""):
        raise CheckFailed(f"logging in as {USERNAME} answered {response.status}, not a redirect to the workbench.")
    return response.node


def check_session(browser: Browser, nodes: list[str]) -> None:
    for node in nodes:
        response = browser.get_on(node, "/workbench/")
        if response.status != 200:
            where = response.headers.get("Location", "")
            raise CheckFailed(f"/workbench/ on {node} answered {response.status} {where}: the session is not valid.")


def check_shared_cache(base: str, source: str) -> tuple[str, str, str]:
    """A phone code through one node, then again through another: the second must be refused as too soon."""
    applicant = Browser(base, source=source)  # an applicant on a phone: no staff session
    phone = f"139{random.randint(0, 99_999_999):08d}"
    path = f"/cases/apply/{ITEM}/phone/"
    first_page = applicant.get(path)
    if first_page.status != 200:
        raise CheckFailed(f"{path} answered {first_page.status}.")
    first = applicant.post(path, {"phone": phone})
    if "We sent a 6-digit code" not in first.text:
        raise CheckFailed(f"asking for a code through {first.node} did not send one: {_message(first.text)}")
    # The balancer's round robin sends the next request to the next node; ask again until another node has it.
    for _ in range(SECOND_ASK_TRIES):
        second = applicant.post(path, {"phone": phone})
        if second.node != first.node:
            break
    else:
        raise CheckFailed(f"{SECOND_ASK_TRIES} requests to ask again all went to {first.node}.")
    if "less than a minute ago" not in second.text:
        raise CheckFailed(
            f"the code asked for through {first.node} was not known to {second.node}: {_message(second.text)}"
        )
    return first.node, second.node, _message(second.text)


def _message(page: str) -> str:
    """The page's first message or form error, as the person would read it."""
    found = re.search(r'<ul class="(?:messages|errorlist)"[^>]*>\s*<li[^>]*>(.*?)</li>', page, re.S)
    return unescape(re.sub(r"\s+", " ", found.group(1))).strip() if found else "(no message on the page)"


def check_shared_file(browser: Browser, nodes: list[str]) -> tuple[str, str, int]:
    """A case registered at the window with a scan, through one node; the scan read back through every node."""
    path = f"/workbench/cases/new/?item={ITEM}"
    form = browser.get(path)
    rows = sorted({int(index) for index in re.findall(r'name="material-(\d+)-state"', form.text)})
    if form.status != 200 or not rows:
        raise CheckFailed(f"the intake form {path} answered {form.status} without its checklist.")
    fields = {
        "applicant_name": "部署检查",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": f"139{random.randint(0, 99_999_999):08d}",
        "address": "阳新县兴国镇",
        "details": "deployment check",
    }
    for index in rows:
        fields |= {f"material-{index}-original_seen": "on", f"material-{index}-copy_kept": "on"}
        fields[f"material-{index}-state"] = "provided"
    content = tiny_pdf(secrets.token_hex(8))
    response = browser.post(path, fields, files={"material-0-file": ("check.pdf", content)})
    case = re.search(r"/workbench/cases/(\d+)/$", response.headers.get("Location", ""))
    if response.status != 302 or case is None:
        raise CheckFailed(f"registering the case through {response.node} answered {response.status}.")
    detail = browser.get(f"/workbench/cases/{case.group(1)}/")
    link = re.search(rf'href="(/workbench/cases/{case.group(1)}/materials/\d+/)"', detail.text)
    if link is None:
        raise CheckFailed(f"case {case.group(1)} shows no link to its scan.")
    for node in nodes:
        scan = browser.get_on(node, link.group(1))
        if scan.status != 200 or scan.body != content:
            raise CheckFailed(f"the scan on {node}: {scan.status}, {len(scan.body)} bytes, not the file uploaded.")
    return response.node, link.group(1), len(content)


def run(base: str) -> bool:
    """Every check in turn, one line each; False when one failed (the ones after a failed login are skipped)."""
    browser = Browser(base)
    print(f"Checking the deployment at {base} (requests from {browser.source})")
    try:
        ready = check_ready(browser)
        nodes = sorted(line.split(" ", 1)[0] for line in ready)
        for line in ready:
            print(f"  ok  readiness  {line}")
        print(f"  ok  login      {USERNAME} logged in through {log_in(browser)}")
    except (CheckFailed, OSError) as error:
        print(f"  FAIL {error}\nSome checks failed.")
        return False
    passed = True
    for name, check in (
        ("session", lambda: _session_line(browser, nodes)),
        ("cache", lambda: _cache_line(base, browser.source)),
        ("files", lambda: _file_line(browser, nodes)),
    ):
        try:
            print(f"  ok  {name:<10} {check()}")
        except (CheckFailed, OSError) as error:
            passed = False
            print(f"  FAIL {name:<9} {error}")
    print("All checks passed." if passed else "Some checks failed.")
    return passed


def _session_line(browser: Browser, nodes: list[str]) -> str:
    check_session(browser, nodes)
    return f"/workbench/ answered 200 with that session on {' and '.join(nodes)}"


def _cache_line(base: str, source: str) -> str:
    first, second, message = check_shared_cache(base, source)
    return f"a phone code asked for through {first}, asked for again through {second}: refused, “{message}”"


def _file_line(browser: Browser, nodes: list[str]) -> str:
    node, link, size = check_shared_file(browser, nodes)
    return f"a scan uploaded through {node}; {link} gave back the same {size} bytes on {' and '.join(nodes)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080/", help="the load balancer (default: %(default)s)")
    options = parser.parse_args(argv)
    return 0 if run(options.url.rstrip("/")) else 1


if __name__ == "__main__":
    sys.exit(main())
