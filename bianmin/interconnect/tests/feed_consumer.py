"""A consumer of the event feed as another system runs it: a separate process that knows nothing of the platform but
the HTTP API. It keeps every case's status from the events alone, and saves its state (the statuses and the cursor)
after each page, so it can be stopped at any point and resumed from the saved cursor.

    python feed_consumer.py URL STATE_FILE --token bm_… [--pages N] [--limit L]

Reads at most ``--pages`` pages (all of them by default: until the cursor stops moving), then exits."""

import argparse
import json
import sys
import urllib.request
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("state", type=Path)
    parser.add_argument("--token", required=True, help="A system token with the scope to read the feed.")
    parser.add_argument("--pages", type=int, default=0)
    parser.add_argument("--limit", type=int, default=50)
    options = parser.parse_args()
    state = json.loads(options.state.read_text()) if options.state.exists() else {"cursor": "0", "statuses": {}}
    pages = 0
    while not options.pages or pages < options.pages:
        request = urllib.request.Request(
            f"{options.url}/api/v1/events?after={state['cursor']}&limit={options.limit}",
            headers={"Authorization": f"Bearer {options.token}", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            page = json.load(answer)
        pages += 1
        for event in page["events"]:
            if event["object"]["type"] == "case":
                state["statuses"][event["object"]["id"]] = event["data"]["status"]
        moved = page["next_cursor"] != state["cursor"]
        state["cursor"] = page["next_cursor"]
        state.setdefault("seen", []).extend(event["id"] for event in page["events"])
        options.state.write_text(json.dumps(state))
        if not moved:
            break
    print(f"{pages} pages, cursor {state['cursor']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
