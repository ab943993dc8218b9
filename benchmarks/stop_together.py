"""How long a PCF and a NEF gateway take to stop together, after they talked both ways.

Starts ``pcf-bdt serve`` and ``nef-bdt gateway`` in front of it, creates and selects a
subscription through the gateway (the gateway's connection to the PCF), degrades the
area at the PCF so that a warning is delivered to the gateway (the PCF's connection to
the gateway), then sends SIGTERM to both at once and prints the seconds each took to
exit. Each waits for its clients to close their connections; the gateway's stop is
bounded at 2 s (for AFs that keep one open for ever), the PCF's is not: with both
senders holding idle connections, the gateway was killed at 2 s and the PCF followed.
Repeats ``--rounds`` times.

    .venv/bin/python benchmarks/stop_together.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _servers import wait_up

from nef_client.testing import free_ports

BIN = Path(sys.executable).parent
METRO_TAI = {"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}  # default.yaml's metro


def one_round(folder: Path) -> tuple[float, float]:
    """(PCF seconds, gateway seconds) to stop."""
    pcf_port, admin_port, gateway_port = free_ports(3)
    pcf_log, gateway_log = folder / "pcf.log", folder / "gateway.log"
    # Both notify a listener on this machine: loopback destinations are refused unless opened.
    shipped = Path(__file__).parent.parent / "pcf_server/config/default.yaml"
    config = folder / "pcf.yaml"
    config.write_text(
        shipped.read_text() + '\nnotification_destinations:\n  allow: [127.0.0.0/8, "::1"]\n'
    )
    pcf = subprocess.Popen(
        [BIN / "pcf-bdt", "serve", "--port", str(pcf_port), "--db", str(folder / "pcf.db"),
         "--admin-listen", f"127.0.0.1:{admin_port}", "--config", str(config)],
        stdout=pcf_log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    gateway = subprocess.Popen(
        [BIN / "nef-bdt", "gateway", "--pcf", f"http://127.0.0.1:{pcf_port}",
         "--port", str(gateway_port), "--db", str(folder / "gateway.db"),
         "--allow-destination", "127.0.0.0/8"],
        stdout=gateway_log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        pcf_root, gateway_root = f"http://127.0.0.1:{pcf_port}", f"http://127.0.0.1:{gateway_port}"
        wait_up(f"{pcf_root}/npcf-bdtpolicycontrol/v1/bdtpolicies/probe", pcf)
        wait_up(f"{gateway_root}/3gpp-bdt/v1/probe", gateway)
        wait_up(f"http://127.0.0.1:{admin_port}/pcf-bdt-admin/v1/areas", pcf)
        start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
        start += timedelta(days=30)
        window = {
            "startTime": start.isoformat(),
            "stopTime": (start + timedelta(hours=6)).isoformat(),
        }
        created = httpx.post(
            f"{gateway_root}/3gpp-bdt/v1/bench/subscriptions",
            json={"volumePerUE": {"downlinkVolume": 10**8}, "numberOfUEs": 10,
                  "desiredTimeWindow": window,
                  "locationArea5G": {"nwAreaInfo": {"tais": [METRO_TAI]}},
                  "notificationDestination": "http://127.0.0.1:9/af", "warnNotifEnabled": True},
            timeout=30,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        chosen = created.json()["transferPolicies"][0]["bdtPolicyId"]
        selected = httpx.patch(
            created.headers["location"], json={"selectedPolicy": chosen},
            headers={"content-type": "application/merge-patch+json"}, timeout=30,
        )  # fmt: skip
        assert selected.status_code == 200, selected.text
        degraded = httpx.post(
            f"http://127.0.0.1:{admin_port}/pcf-bdt-admin/v1/degradations",
            json={"areaId": "metro", "timeWindow": window, "factor": 0.01}, timeout=30,
        )  # fmt: skip
        assert degraded.json()["notified"], degraded.text
        deadline = time.monotonic() + 30  # until the warning reached the gateway
        while "selectedPolicy" in httpx.get(created.headers["location"], timeout=30).json():
            assert time.monotonic() < deadline, "the warning did not reach the gateway"
            time.sleep(0.05)
        began = time.monotonic()
        pcf.send_signal(signal.SIGTERM)
        gateway.send_signal(signal.SIGTERM)
        stopped: dict[str, float] = {}
        while len(stopped) < 2:
            for name, process in (("pcf", pcf), ("gateway", gateway)):
                if name not in stopped and process.poll() is not None:
                    stopped[name] = time.monotonic() - began
            assert time.monotonic() - began < 60, "still running after 60 s"
            time.sleep(0.01)
        return stopped["pcf"], stopped["gateway"]
    finally:
        for process in (pcf, gateway):
            if process.poll() is None:  # its workers too: each runs in a session of its own
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pcf_times, gateway_times = [], []
    for number in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="stop-together-") as folder:
            pcf_s, gateway_s = one_round(Path(folder))
        pcf_times.append(pcf_s)
        gateway_times.append(gateway_s)
        print(f"round {number + 1}: PCF {pcf_s:.2f} s, gateway {gateway_s:.2f} s")
    print(
        f"median of {args.rounds}: PCF {statistics.median(pcf_times):.2f} s, "
        f"gateway {statistics.median(gateway_times):.2f} s"
    )


if __name__ == "__main__":
    main()
