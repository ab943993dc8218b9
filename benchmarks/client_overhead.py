"""Per-call overhead of nef_client against a bare httpx request, same body, same server.

Starts a stub PCF, creates one policy, then alternates rounds of GET (and of PATCH
selecting the same transfer policy again) through ``nef_client.Client`` and through a bare
``httpx.Client`` over h2c, so both see the same server state and machine load. Prints
median microseconds per call, the difference (the client's overhead) and the ratio.

    .venv/bin/python benchmarks/client_overhead.py [--calls 300] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from _timing import per_call_us

import nef_client
from nef_client.testing import start_pcf_stub


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    args = parser.parse_args()
    # A night a month ahead: the PCF refuses desired windows that have already ended.
    start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    start += timedelta(days=30)
    with start_pcf_stub() as stub:
        client = nef_client.Client(stub.url)
        bare = httpx.Client(http1=False, http2=True, base_url=stub.url)
        created = client.create(
            "bench", volume_per_ue=1_000_000, number_of_ues=10,
            desired_window=(start, start + timedelta(hours=6)),
        )  # fmt: skip
        policy_id, chosen = created.policy_id, created.candidates[0].trans_policy_id
        patch_body = {"bdtPolData": {"selTransPolicyId": chosen}}
        patch_headers = {"content-type": "application/merge-patch+json"}

        def bare_get() -> object:
            response = bare.get(f"/bdtpolicies/{policy_id}")
            assert response.status_code == 200
            return response.json()

        def bare_patch() -> object:
            response = bare.patch(
                f"/bdtpolicies/{policy_id}", json=patch_body, headers=patch_headers
            )
            assert response.status_code == 200
            return response.json()

        cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
            "GET   (get)": (lambda: client.get(policy_id), bare_get),
            "PATCH (select)": (lambda: client.select(policy_id, chosen), bare_patch),
        }
        for name, (ours, theirs) in cases.items():
            for _ in range(20):  # warm up connections and caches
                ours()
                theirs()
            nef_us, httpx_us = [], []
            for _ in range(args.rounds):
                nef_us.append(per_call_us(ours, args.calls))
                httpx_us.append(per_call_us(theirs, args.calls))
            a, b = statistics.median(nef_us), statistics.median(httpx_us)
            print(
                f"{name:15} nef_client {a:8.1f} us/call   bare httpx {b:8.1f} us/call   "
                f"overhead {a - b:+7.1f} us   ratio {a / b:.3f}"
            )
        stub.clear_requests()
        client.close()
        bare.close()


if __name__ == "__main__":
    main()
