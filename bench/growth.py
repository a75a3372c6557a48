"""How each page's cost grows with the number of cases: the HTTP harness's reports side by side.

    python bench/growth.py [var/bench/results-*.json ...]

Reads the reports ``http_bench.py`` wrote (by default every ``var/bench/results-<database>-<cases>.json``) and prints
one markdown table: a row per scenario, per report its p50 and its ratio to the floor of the same run, the
reports ordered by database and size; then the load average each run saw. A page whose p50 grows faster than the
rows it shows is a defect: each should read one index range and its page, whatever the size.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(paths: list[Path]) -> list[dict]:
    reports = [json.loads(path.read_text()) for path in paths]
    return sorted(reports, key=lambda report: (report["database"]["vendor"], report["database"]["cases"]))


def table(reports: list[dict]) -> str:
    heads = [f"{r['database']['vendor']} {r['database']['cases']:,}" for r in reports]
    lines = [
        "| scenario | " + " | ".join(f"{head} p50 ms (× floor)" for head in heads) + " |",
        "|---|" + "--:|" * len(reports),
    ]
    names: list[str] = []
    for report in reports:
        names += [row["name"] for row in report["scenarios"] if row["name"] not in names]
    for name in names:
        cells = []
        for report in reports:
            row = next((row for row in report["scenarios"] if row["name"] == name), None)
            if row is None or "p50_ms" not in row:
                cells.append("—")
            else:
                ratio = row.get("p50_over_floor")
                cells.append(f"{row['p50_ms']} ({ratio})" if ratio not in (None, "") else f"{row['p50_ms']}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    concurrency = [r.get("concurrency") for r in reports]
    if any(concurrency):
        cells = [f"{run['requests_per_second']} req/s, p50 {run['p50_ms']}" if run else "—" for run in concurrency]
        lines.append("| 16 clients (mix) | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Load average (1 min) before each run: "
        + ", ".join(
            f"{head} {report['load_average']['before'][0]:.1f} ({report['measured_at']})"
            for head, report in zip(heads, reports, strict=True)
        ),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted((ROOT / "var" / "bench").glob("results-*.json"))
    if not paths:
        print("growth: no reports; run bench/http_bench.py first (make bench)", file=sys.stderr)
        return 1
    print(table(load(paths)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
