"""Several PCF instances on one PostgreSQL database: real processes, real server.

Three ``pcf-bdt serve`` processes (two workers each) share a database made for the
test (``tests.postgres``); clients talk to all of them at once. What must hold is what
one PCF guarantees alone: capacity never overbooked, one policy per equivalent request,
every instance seeing every policy, each warning delivered once, nothing acknowledged
lost when an instance dies.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from nf_common.bitrate import parse_bitrate
from pcf_server.config import network_from_document
from pcf_server.policy.engine import LoadAwareDecider
from tests import postgres
from tests.bdt_config import config, write_config
from tests.dates import window
from tests.polling import wait_for
from tests.server_process import PcfProcess, kill_hard, running_pcf
from tests.test_capacity import NIGHT, night_request

pytestmark = pytest.mark.slow
MERGE_PATCH = {"content-type": "application/merge-patch+json"}
ADMIN = "/pcf-bdt-admin/v1"


@pytest.fixture
def database() -> Iterator[str]:
    with postgres.database() as url:
        yield url


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """Three instances on one database (its URI, their bases), shared by the tests that
    only add policies."""
    with postgres.database() as url, instances(tmp_path_factory.mktemp("trio"), url) as pcfs:
        yield url, [base for base, _ in pcfs]


def _other_night(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` two nights later: out of the way of the tests that fill tonight."""
    start, stop = (moment + timedelta(days=2) for moment in NIGHT)
    return {**doc, "desTimeInt": window(start, stop)}


@contextmanager
def instances(
    tmp_path: Path, url: str, count: int = 3, extra: list[str] | None = None
) -> Iterator[list[tuple[str, PcfProcess]]]:
    """``count`` PCFs of two workers each on the database ``url``, all on one config."""
    config = write_config(tmp_path / "c.yaml")
    args = ["--workers", "2", "--config", str(config), *(extra or [])]
    with ExitStack() as stack:
        yield [
            stack.enter_context(running_pcf(tmp_path / f"pcf{n}.db", extra_args=args, store=url))
            for n in range(count)
        ]


def _id(location: str) -> str:
    return location.rsplit("/", 1)[1]


def _select(client: httpx.Client, base: str, policy_id: str, choice: int) -> httpx.Response:
    return client.patch(
        f"{base}/bdtpolicies/{policy_id}",
        json={"bdtPolData": {"selTransPolicyId": choice}},
        headers=MERGE_PATCH,
    )


def _in_force(data: dict[str, Any]) -> dict[str, Any] | None:
    """The transfer policy a policy document says is in force: selected, or the only one."""
    offers = data["transfPolicies"]
    selected = data.get("selTransPolicyId")
    if selected is None:
        return offers[0] if len(offers) == 1 else None
    return next(tp for tp in offers if tp["transPolicyId"] == selected)


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_concurrent_creates_and_selections_never_overbook_a_slot(
    trio: tuple[str, list[str]],
) -> None:
    """The invariant, from what the PCFs answered rather than from their own books.

    Clients create night transfers of 150 Mbit/s (four fit in the night's 600) and
    select one offer each, through all three instances at once. Then each policy is
    read back, and the rates of the transfer policies in force are summed per slot
    from their windows and bitrates: no slot may exceed its limit.
    """
    created: list[str] = []
    lock = threading.Lock()
    database, bases = trio

    def client_work(seed: int) -> list[int]:
        rng = random.Random(seed)
        statuses = []
        with httpx.Client(timeout=60) as client:
            for n in range(6):
                base = bases[(seed + n) % len(bases)]
                response = client.post(
                    f"{base}/bdtpolicies", json=night_request(f"asp-{seed}-{n}", 150)
                )
                statuses.append(response.status_code)
                if response.status_code != 201:
                    continue
                policy_id = _id(response.headers["location"])
                with lock:
                    created.append(policy_id)
                offers = response.json()["bdtPolData"]["transfPolicies"]
                choice = rng.choice(offers)["transPolicyId"]
                other = bases[(seed + n + 1) % len(bases)]  # selected elsewhere
                statuses.append(_select(client, other, policy_id, choice).status_code)
        return statuses

    with ThreadPoolExecutor(12) as pool:
        statuses = [s for batch in pool.map(client_work, range(12)) for s in batch]
    assert all(status < 500 for status in statuses), Counter(statuses)
    assert statuses.count(201) >= 4, Counter(statuses)
    with httpx.Client(timeout=30) as client:
        documents = [
            client.get(f"{bases[n % 3]}/bdtpolicies/{pid}").json()["bdtPolData"]
            for n, pid in enumerate(created)
        ]

    network = network_from_document(config())
    engine = LoadAwareDecider(network)
    seconds = network.slot_seconds
    load: defaultdict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    in_force = [tp for tp in map(_in_force, documents) if tp is not None]
    assert len(in_force) >= 4, "too few transfers in force to fill a slot"
    for tp in in_force:
        start, stop = (
            _instant(tp["recTimeInt"]["startTime"]),
            _instant(tp["recTimeInt"]["stopTime"]),
        )
        for slot in range(int(start // seconds), -int(-stop // seconds)):
            load[slot][0] += parse_bitrate(tp["maxBitRateDl"])
            load[slot][1] += parse_bitrate(tp.get("maxBitRateUl", "0 bps"))
    from pcf_server.storage.postgres import PostgresStore

    store = PostgresStore(database)
    try:
        fullest = 0.0
        with store.unit_of_work(write=False) as uow:
            for slot, (dl, ul) in sorted(load.items()):
                limit = engine.limits(network.default_area, slot, slot + 1, uow.capacity)[0]
                assert dl <= limit.downlink + 1, (slot, dl, limit)
                assert ul <= limit.uplink + 1, (slot, ul, limit)
                fullest = max(fullest, dl / limit.downlink)
    finally:
        store.close()
    # Far more was asked than fits: some slot was filled to the brink, not left empty.
    assert fullest > 0.7, fullest


def test_identical_concurrent_creates_to_different_instances_make_one_policy(
    trio: tuple[str, list[str]],
) -> None:
    senders = 12
    bases = trio[1]
    for round_ in range(3):
        doc = _other_night(night_request(f"asp-race-{round_}", 10))
        barrier = threading.Barrier(senders)

        def send(n: int, doc: dict[str, Any] = doc, barrier: threading.Barrier = barrier) -> Any:
            with httpx.Client(timeout=60) as client:
                barrier.wait()
                return client.post(f"{bases[n % 3]}/bdtpolicies", json=doc)

        with ThreadPoolExecutor(senders) as pool:
            responses = list(pool.map(send, range(senders)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [303] * (senders - 1), statuses
        # Each instance names the policy under its own apiRoot; the policy is one.
        assert len({_id(r.headers["location"]) for r in responses}) == 1


def test_a_policy_made_on_one_instance_is_read_and_updated_on_another(
    trio: tuple[str, list[str]],
) -> None:
    with httpx.Client(timeout=30) as client:
        first, second, third = trio[1]
        doc = _other_night(night_request("asp-moving", 50))
        created = client.post(f"{first}/bdtpolicies", json=doc)
        assert created.status_code == 201, created.text
        policy_id = _id(created.headers["location"])
        read = client.get(f"{second}/bdtpolicies/{policy_id}")
        assert read.status_code == 200 and read.json() == created.json()
        offers = [tp["transPolicyId"] for tp in read.json()["bdtPolData"]["transfPolicies"]]
        updated = _select(client, second, policy_id, offers[-1])
        assert updated.status_code == 200, updated.text
        seen = client.get(f"{third}/bdtpolicies/{policy_id}").json()["bdtPolData"]
        assert seen["selTransPolicyId"] == offers[-1]
        again = _select(client, first, policy_id, offers[0])  # and back, on the first
        assert again.status_code == 200, again.text
        assert client.get(f"{third}/bdtpolicies/{policy_id}").json() == again.json()


class _Receiver:
    """A NEF's notification endpoint in the test process (HTTP/1.1), with a gate.

    Every POST is recorded (policy id, time) when it arrives; while the gate is
    closed, the answer waits for it to open, so deliveries are held in flight.
    """

    def __init__(self) -> None:
        self.received: list[tuple[str, float]] = []
        self.peers: dict[str, int] = {}  # bdtRefId -> client port of its latest attempt
        self.gate = threading.Event()
        self.gate.set()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import json

                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with lock:
                    receiver.received.append((body["bdtRefId"], time.time()))
                    receiver.peers[body["bdtRefId"]] = self.client_address[1]
                receiver.gate.wait(timeout=60)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/bdt"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()

    def counts(self) -> Counter[str]:
        return Counter(ref for ref, _ in list(self.received))


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    found = _Receiver()
    yield found
    found.close()


def _warned(asp: str, notif_uri: str) -> dict[str, Any]:
    return {**night_request(asp, 50), "notifUri": notif_uri, "warnNotifReq": True, "suppFeat": "1"}


def _outage(admin_root: str) -> httpx.Response:
    """The night's capacity gone, reported to one instance's operator API."""
    span = {
        "startTime": NIGHT[0].isoformat().replace("+00:00", "Z"),
        "stopTime": NIGHT[1].isoformat().replace("+00:00", "Z"),
    }
    return httpx.post(
        f"{admin_root}{ADMIN}/degradations",
        json={"areaId": "town", "timeWindow": span, "factor": 0},
        timeout=30,
    )


def _create_warned(client: httpx.Client, bases: list[str], count: int, uri: str) -> list[str]:
    """``count`` policies in force tonight, made through the given instances in turn."""
    refs = []
    for n in range(count):
        created = client.post(f"{bases[n % len(bases)]}/bdtpolicies", json=_warned(f"a{n}", uri))
        assert created.status_code == 201, created.text
        data = created.json()
        night = [
            tp["transPolicyId"]
            for tp in data["bdtPolData"]["transfPolicies"]
            if _instant(tp["recTimeInt"]["stopTime"]) <= NIGHT[1].timestamp()
        ]
        assert night, data
        chosen = _select(client, bases[n % len(bases)], _id(created.headers["location"]), night[0])
        assert chosen.status_code == 200, chosen.text
        refs.append(data["bdtPolData"]["bdtRefId"])
    return refs


def _outbox_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM outbox").fetchone()
    return int(row[0]) if row else 0


def test_a_degradation_on_one_instance_warns_about_policies_of_the_others_once_each(
    tmp_path: Path, database: str, receiver: _Receiver
) -> None:
    with instances(tmp_path, database) as pcfs, httpx.Client(timeout=30) as client:
        bases = [base for base, _ in pcfs]
        refs = _create_warned(client, bases[:2], 6, receiver.url)  # on the first two
        reported = _outage(pcfs[2][1].admin_root)  # to the third
        assert reported.status_code in (200, 201), reported.text
        wait_for(lambda: set(receiver.counts()) == set(refs))
        # Delivered means acknowledged and its row gone; then no sender has one left.
        wait_for(lambda: _outbox_rows(database) == 0)
        counts = receiver.counts()
    assert counts == Counter({ref: 1 for ref in refs}), counts


def test_kill_9_of_an_instance_loses_no_acknowledged_write(tmp_path: Path, database: str) -> None:
    acknowledged: dict[str, int | None] = {}
    lock = threading.Lock()
    stop = threading.Event()
    with instances(tmp_path, database) as pcfs:
        bases = [base for base, _ in pcfs]

        def load(seed: int) -> None:
            rng = random.Random(seed)
            base = bases[seed % 3]
            with httpx.Client(timeout=10) as client:
                while not stop.is_set():
                    try:
                        created = client.post(
                            f"{base}/bdtpolicies", json=night_request(uuid.uuid4().hex, 0.01)
                        )
                        if created.status_code != 201:
                            continue
                        policy_id = _id(created.headers["location"])
                        with lock:
                            acknowledged[policy_id] = None
                        offers = created.json()["bdtPolData"]["transfPolicies"]
                        choice = rng.choice(offers)["transPolicyId"]
                        if _select(client, base, policy_id, choice).status_code == 200:
                            with lock:
                                acknowledged[policy_id] = choice
                    except httpx.TransportError:
                        if seed % 3 == 0:
                            return  # its instance is gone

        threads = [threading.Thread(target=load, args=(seed,)) for seed in range(9)]
        for thread in threads:
            thread.start()
        wait_for(lambda: len(acknowledged) >= 150, timeout=60)
        kill_hard(pcfs[0][1])  # mid-burst: requests to it are in flight
        time.sleep(0.5)  # the others keep going meanwhile (no assertion depends on it)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        with httpx.Client(timeout=30) as client:
            for policy_id, choice in dict(acknowledged).items():
                response = client.get(f"{bases[1]}/bdtpolicies/{policy_id}")
                assert response.status_code == 200, policy_id
                if choice is not None:
                    assert response.json()["bdtPolData"]["selTransPolicyId"] == choice


def test_warnings_claimed_by_a_killed_instance_are_delivered_by_another_after_the_lease(
    tmp_path: Path, database: str, receiver: _Receiver
) -> None:
    lease = 3.0
    with instances(tmp_path, database, extra=["--delivery-lease", str(lease)]) as pcfs:
        bases = [base for base, _ in pcfs]
        with httpx.Client(timeout=30) as client:
            refs = _create_warned(client, bases, 6, receiver.url)
        receiver.gate.clear()  # deliveries now hang until the gate opens
        assert _outage(pcfs[1][1].admin_root).status_code in (200, 201)
        wait_for(lambda: set(receiver.counts()) == set(refs))
        # Kill the instance whose sender holds the most of them in flight.
        ports = {n: _local_ports(process) for n, (_, process) in enumerate(pcfs)}
        held = {n: {r for r, port in receiver.peers.items() if port in ports[n]} for n in ports}
        victim = max(held, key=lambda n: len(held[n]))
        assert held[victim], (receiver.peers, ports)
        kill_hard(pcfs[victim][1])
        receiver.gate.set()
        # What the survivors had claimed is delivered now; what the killed one had
        # claimed waits for its lease, then a survivor sends it again.
        wait_for(lambda: _outbox_rows(database) == 0, timeout=60)
    counts = receiver.counts()
    again = {ref for ref, n in counts.items() if n > 1}
    assert set(counts) == set(refs)
    assert again == held[victim], (again, held)
    for ref in again:  # sent again only once the killed sender's lease ran out
        first, second = sorted(at for r, at in receiver.received if r == ref)[:2]
        assert second >= first + lease - 0.5, (ref, second - first)


def _local_ports(process: PcfProcess) -> set[int]:
    """The local TCP ports of every process of a PCF instance (its process group)."""
    inodes: set[str] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != process.pid:
                continue
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (OSError, ProcessLookupError):
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
