"""What the NEF gateway adds per call: 3gpp-bdt through the gateway against N30 direct.

Starts a stub PCF and a gateway in front of it, creates one subscription, then alternates
rounds of the same read (GET) and selection (PATCH) through the gateway (3gpp-bdt, which
itself reads or updates the PCF over N30) and straight at the PCF (N30), with bare httpx
clients over HTTP/1.1 so that both sides are measured the same way. Prints median
microseconds per call, the difference (the gateway's cost: its hop, store and mapping)
and the ratio.

    .venv/bin/python benchmarks/gateway_overhead.py [--calls 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from _timing import per_call_us

from nef_client.testing import start_nef_gateway, start_pcf_stub

MERGE_PATCH = {"content-type": "application/merge-patch+json"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    args = parser.parse_args()
    start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    start += timedelta(days=30)
    window = {
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "stopTime": (start + timedelta(hours=6)).isoformat().replace("+00:00", "Z"),
    }
    with start_pcf_stub() as stub, start_nef_gateway(stub.url) as gateway:
        http = httpx.Client(timeout=30)
        created = http.post(
            gateway.subscriptions_url("bench"),
            json={"volumePerUE": {"totalVolume": 1_000_000}, "numberOfUEs": 10,
                  "desiredTimeWindow": window},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        chosen = created.json()["transferPolicies"][0]["bdtPolicyId"]
        with sqlite3.connect(gateway.db) as db:
            (policy_id,) = db.execute("SELECT policy_id FROM subscription").fetchone()
        policy = f"{stub.url}/bdtpolicies/{policy_id}"

        def ok(response: httpx.Response) -> object:
            assert response.status_code == 200, response.text
            return response.json()

        cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
            "GET   (read)": (lambda: ok(http.get(location)), lambda: ok(http.get(policy))),
            "PATCH (select)": (
                lambda: ok(http.patch(location, json={"selectedPolicy": chosen},
                                      headers=MERGE_PATCH)),
                lambda: ok(http.patch(policy, json={"bdtPolData": {"selTransPolicyId": chosen}},
                                      headers=MERGE_PATCH)),
            ),
        }  # fmt: skip
        for name, (through, direct) in cases.items():
            for _ in range(10):  # warm up connections and caches
                through()
                direct()
            gateway_us, pcf_us = [], []
            for _ in range(args.rounds):
                gateway_us.append(per_call_us(through, args.calls))
                pcf_us.append(per_call_us(direct, args.calls))
            a, b = statistics.median(gateway_us), statistics.median(pcf_us)
            print(
                f"{name:15} gateway {a:8.1f} us/call   PCF direct {b:8.1f} us/call   "
                f"added {a - b:+8.1f} us   ratio {a / b:.2f}"
            )
        http.close()


if __name__ == "__main__":
    main()
