"""Create, GET and PATCH throughput and latency: bare ASGI, the generated stub, our PCF.

One run measures, at each ``--workers`` count, these servers on the same granian with the
same settings (those of ``pcf-bdt serve``: HTTP/1.1 and h2c on one port, its backlog,
connection limit and timeouts), over HTTP/2 with ``--streams`` concurrent streams on
``--connections`` connections, and prints req/s, p50, p99 and the ratios (``--servers``
picks some of them):

- *bare*: an ASGI app (``bare_app`` below) answering 201/200 with a small JSON body;
- *stub*: openapi-generator's python-fastapi server generated from the official TS 29.554
  file (``../shared/3gpp/Rel-18``), answering a fixed BdtPolicy without logic or storage.
  It needs Java and the ``openapi-generator-cli`` of the dev extra; it is skipped with the
  reason otherwise. openapi-generator 7.26's output does not import as generated: its
  ``security_api.py`` uses an undefined ``oauth2_``; this script replaces that one
  parameter with ``fastapi.security.OAuth2(auto_error=False)`` (a token is optional, as
  for the PCF without ``--tokens``). FastAPI and pydantic go into a folder of their own
  under the cache folder (``pip install --target``), so that the project's environment
  keeps connexion's Starlette; the stub is served by the project's granian.
- *ceiling*: the "connexion ceiling", the PCF's own SBI application as ``pcf-bdt serve``
  builds it with use cases that answer a fixed BdtPolicy (the stub's) to Create, GET and
  PATCH, without a decision or the store (``_ceiling.py``, which exists for this benchmark
  only): what connexion and our middleware allow on this machine, so what the PCF could
  at best reach with connexion in the path;
- *pcf*: ``pcf-bdt serve`` on a fresh SQLite file with durable commits, configured so
  that capacity and the per-consumer limits never refuse a benchmark request;
- *pcf-pg1*, *pcf-pg2*: ``pcf-bdt serve`` on a fresh PostgreSQL database (made on
  ``--pg`` and dropped after the row, also on failure or Ctrl-C), one instance, then two
  instances on the one database, each with ``--workers`` workers; the load is split over
  the two (each connection goes to one of them, in turn). Skipped, with the reason, when
  the PostgreSQL server cannot be reached.

Load: ``h2load`` (``apt-get install -y nghttp2-client``) for everything but the PCF's
Create. h2load sends one body for all requests; the bare app, the stub and the ceiling
store nothing, so one body is a real Create for them, but the PCF answers a repeated body
with 303. Its Create (on SQLite and on PostgreSQL) runs on a small HTTP/2 load generator
of ours (the h2 library on asyncio, one process, ``--connections`` connections) with a
unique body per request. It costs more
CPU per request than h2load and shares the 2 cores with the server, so the PCF's Create
is measured at a disadvantage: its ratios are a lower bound. The line ``generator ceiling``
is the same generator against the bare app, to show how far it is from limiting.

GET uses the policies that Create made; PATCH selects the first transfer policy of each
once (each connection its own share of them, so that no policy is selected twice). The
PCF rows have one more, *repeat*: the body of their first Create sent again by h2load,
which the PCF answers 303 with the policy it made (the lookup runs without the write
lock, so a 303 should cost about what a GET does; the line ``repeat / GET`` says how
near it is).

Each server is measured warm: after it starts, it gets ``--warmup`` seconds of Creates
that are not measured. A PCF with two workers served about half its rate in its first
seconds, which a 5 s measurement would otherwise mostly be.

With ``--rounds N`` every row is measured N times, in interleaved rounds (all rows once,
then all again), each time on a server started afresh; the tables give, per row and
operation, the round with the median req/s (the lower one for even N), and a last table
every round's req/s. Interleaving spreads a machine that grows warmer or busier during the
run over every row instead of charging it to the rows measured last.

    .venv/bin/python benchmarks/pcf_throughput.py            # about four minutes
    .venv/bin/python benchmarks/pcf_throughput.py --quick    # a smoke run, 1 worker, 1 s
    .venv/bin/python benchmarks/pcf_throughput.py --servers bare ceiling pcf-pg1
    .venv/bin/python benchmarks/pcf_throughput.py --rounds 3  # medians, about 12 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from _servers import free_port, postgres_database, postgres_unreachable, wait_up
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import DataReceived, ResponseReceived, StreamEnded, StreamReset

from nef_client.testing import free_ports

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
OFFICIAL = ROOT.parent / "shared" / "3gpp" / "Rel-18" / "TS29554_Npcf_BDTPolicyControl.yaml"
BASE = "/npcf-bdtpolicycontrol/v1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "npcf-bdt-benchmark"
METRO_TAI = {"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}  # default.yaml's metro
OPERATIONS = ("create", "get", "patch")
REPEAT = "repeat"  # a Create equivalent to one made before: 303 (the PCF rows only)
MERGE_PATCH = "application/merge-patch+json"  # what TS 29.554 gives for the Update
SERVERS = ("bare", "stub", "ceiling", "pcf", "pcf-pg1", "pcf-pg2")
PG_INSTANCES = {"pcf-pg1": 1, "pcf-pg2": 2}
WARM_UP_FIRST = 5 * 10**6  # the warm-up's Creates count their aspIds from first + this


# --- the bare ASGI app --------------------------------------------------------------------

_BARE_BODY = b'{"bdtPolData":{"bdtRefId":"1","transfPolicies":[]}}'


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """201 to a POST, 200 otherwise, with a small JSON body; the body read to its end."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    status = 201 if scope["method"] == "POST" else 200
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": _BARE_BODY})


def serve(target: str, port: int, workers: int, *, factory: bool = False) -> None:
    """Serve ``target`` on granian with the settings of ``pcf-bdt serve`` (its defaults)."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    from pcf_server.cli import _connection_limits, build_parser

    defaults = build_parser().parse_args(["serve"])
    Granian(
        target,
        address="127.0.0.1",
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        http=HTTPModes.auto,
        log_access=False,
        factory=factory,
        **_connection_limits(defaults),
    ).serve()


def serve_ceiling(port: int, workers: int, folder: Path) -> None:
    """Serve the connexion ceiling (``_ceiling.py``) as ``pcf-bdt serve`` would the PCF.

    With the settings the command makes of its command line, on a fresh SQLite file
    migrated as it migrates it (the ceiling's use cases never touch it; the rest of the
    application does what it does in the PCF).
    """
    from pcf_server.bootstrap import prepare
    from pcf_server.cli import _settings, build_parser

    # ``port`` was free when the parent chose it and is closed now: the admin port must
    # differ from it, not merely be free.
    admin = next(p for p in free_ports(2) if p != port)
    args = build_parser().parse_args(
        [
            "serve",
            "--port",
            str(port),
            "--db",
            str(folder / f"ceiling-{workers}-{time.monotonic_ns()}.db"),
            "--config",
            str(bench_config(folder)),
            "--admin-listen",
            f"127.0.0.1:{admin}",
        ]
    )
    settings = _settings(args)
    prepare(settings)
    os.environ.update(settings.to_environment())  # what the workers' factory reads
    serve("_ceiling:app", port, workers, factory=True)


# --- the generated stub -------------------------------------------------------------------

_STUB_IMPL = '''
"""The benchmark's implementation: a fixed answer, no logic, no storage."""
from openapi_server.apis.bdt_policies_collection_api_base import BaseBDTPoliciesCollectionApi
from openapi_server.apis.individual_bdt_policy_document_api_base import (
    BaseIndividualBDTPolicyDocumentApi,
)
from openapi_server.models.bdt_policy import BdtPolicy

_POLICY = BdtPolicy.from_dict(%s)


class Collection(BaseBDTPoliciesCollectionApi):
    async def create_bdt_policy(self, bdt_req_data):
        return _POLICY


class Individual(BaseIndividualBDTPolicyDocumentApi):
    async def get_bdt_policy(self, bdtPolicyId):
        return _POLICY

    async def update_bdt_policy(self, bdtPolicyId, patch_bdt_policy):
        return _POLICY
'''
_BROKEN = "token: str = Depends(oauth2_)"
_PATCHED = "token: str | None = Depends(OAuth2(auto_error=False))"


def stub_paths() -> tuple[list[Path], str | None]:
    """(PYTHONPATH entries, None) for the stub, generated once; ([], why) when it cannot be."""
    generator = BIN / "openapi-generator-cli"
    if not OFFICIAL.is_file():
        return [], f"{OFFICIAL} is absent"
    if shutil.which("java") is None:
        return [], "no Java (apt-get install -y default-jre-headless)"
    if not generator.is_file():
        return [], "openapi-generator-cli is not installed (pip install -e '.[dev]')"
    folder = CACHE / "stub"
    source, deps = folder / "src", CACHE / "stub-deps"
    if not (source / "openapi_server" / "impl" / "bench.py").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [
                generator,
                "generate",
                "-g",
                "python-fastapi",
                "-i",
                OFFICIAL,
                "-o",
                folder,
                "--skip-validate-spec",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        security = source / "openapi_server" / "security_api.py"
        text = security.read_text()
        if _BROKEN not in text:
            return [], f"{security} no longer has {_BROKEN!r}: see whether it imports as is"
        security.write_text(text.replace(_BROKEN, _PATCHED))
        print(f"stub: patched {security.name}: {_BROKEN!r} -> {_PATCHED!r}")
        impl = _STUB_IMPL % repr(policy_document(3))
        (source / "openapi_server" / "impl" / "bench.py").write_text(impl)
    if not (deps / "fastapi").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", deps, "fastapi", "pydantic"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return [deps, source], None


# --- documents ----------------------------------------------------------------------------


def _window(days: int = 30) -> dict[str, str]:
    start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    start += timedelta(days=days)
    return {"startTime": start.isoformat(), "stopTime": (start + timedelta(hours=6)).isoformat()}


def create_body(index: int) -> dict[str, Any]:
    """A Create that no other of the run is equivalent to (its aspId and volume)."""
    return {
        "aspId": f"bench-{index}",
        "desTimeInt": _window(),
        "numOfUes": 10,
        "volPerUe": {"uplinkVolume": 1000, "downlinkVolume": 1_000_000 + index},
        "nwAreaInfo": {"tais": [METRO_TAI]},
        "suppFeat": "0",
    }


def policy_document(offers: int) -> dict[str, Any]:
    """A BdtPolicy with ``offers`` transfer policies: what the stub and the ceiling answer."""
    window = _window()
    return {
        "bdtPolData": {
            "bdtRefId": "1",
            "transfPolicies": [
                {
                    "ratingGroup": 1001,
                    "recTimeInt": window,
                    "transPolicyId": n + 1,
                    "maxBitRateDl": "1 Mbps",
                }
                for n in range(offers)
            ],
        },
        "bdtReqData": create_body(0),
    }


def bench_config(folder: Path) -> Path:
    """default.yaml with limits that never refuse a benchmark request."""
    doc = yaml.safe_load((ROOT / "pcf_server" / "config" / "default.yaml").read_text())
    doc["policies_per_consumer"] = 10_000_000
    doc["held_offers_per_consumer"] = 10_000_000
    doc["areas"]["metro"]["capacity"] = {"downlink": "10 Tbps", "uplink": "1 Tbps"}
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


# --- load ---------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int  # answers other than ``expected``
    expected: str = "2xx"

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def h2load(
    url_lists: Sequence[Sequence[str]],
    streams: int,
    *,
    seconds: float | None,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = "application/json",
    expected: str = "2xx",
) -> Result:
    """One h2load process per URL list, all at once, each one connection.

    With ``seconds`` None each process sends each of its URLs once. Answers whose status
    does not match ``expected`` ("2xx" or a code) are counted as failures.
    """
    per_connection = max(1, streams // len(url_lists))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        processes = []
        if body is not None:
            (folder / "body").write_bytes(body)
        for n, urls in enumerate(url_lists):
            (folder / f"urls{n}").write_text("\n".join(urls) + "\n")
            command: list[str | Path] = [
                "h2load",
                "-c",
                "1",
                "-m",
                str(per_connection),
                "-i",
                str(folder / f"urls{n}"),
                "--log-file",
                str(folder / f"log{n}"),
                "-H",
                f":method: {method}",
            ]
            if body is not None:
                command += ["-d", str(folder / "body"), "-H", f"content-type: {content_type}"]
            command += (
                ["-D", f"{round(seconds * 1000)}ms"]
                if seconds is not None
                else ["-n", str(len(urls))]
            )
            processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        start = time.perf_counter()
        outputs = [process.communicate()[0] for process in processes]
        elapsed = time.perf_counter() - start
        latencies: list[float] = []
        failures = 0
        for n, output in enumerate(outputs):
            if processes[n].returncode != 0:
                raise SystemExit(f"h2load failed:\n{output}")
            for line in (folder / f"log{n}").read_text().splitlines():
                _, status, micros = line.split("\t")[:3]
                if not status.startswith(expected.rstrip("x")):
                    failures += 1
                latencies.append(int(micros) / 1000)
    took = seconds if seconds is not None else elapsed
    return Result(len(latencies), took, latencies, failures, expected)


async def _one_connection(
    url: httpx.URL, bodies: Iterator[bytes], deadline: float, streams: int, tally: _Tally
) -> None:
    """POST bodies on one h2c connection, ``streams`` at a time, until ``deadline``."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    connection = H2Connection(H2Configuration(client_side=True, header_encoding="utf-8"))
    connection.initiate_connection()
    pending: dict[int, tuple[float, dict[str, str], bytearray]] = {}
    authority = f"{url.host}:{url.port}"

    def send() -> None:
        body = next(bodies)
        stream = connection.get_next_available_stream_id()
        headers = [
            (":method", "POST"),
            (":scheme", "http"),
            (":authority", authority),
            (":path", url.raw_path.decode()),
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
        ]
        connection.send_headers(stream, headers)
        connection.send_data(stream, body, end_stream=True)
        pending[stream] = (time.perf_counter(), {}, bytearray())

    for _ in range(streams):
        send()
    writer.write(connection.data_to_send())
    while pending:
        data = await reader.read(65536)
        if not data:
            raise SystemExit("the server closed the connection")
        for event in connection.receive_data(data):
            if isinstance(event, ResponseReceived):
                pending[event.stream_id][1].update((str(k), str(v)) for k, v in event.headers)
            elif isinstance(event, DataReceived):
                pending[event.stream_id][2].extend(event.data)
                connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, StreamEnded | StreamReset):
                start, headers, body = pending.pop(event.stream_id)
                tally.add(start, headers, bytes(body))
                if time.perf_counter() < deadline:
                    send()
        writer.write(connection.data_to_send())
    writer.close()


@dataclass
class _Tally:
    latencies: list[float]
    created: list[dict[str, Any]]
    failures: int = 0

    def add(self, start: float, headers: dict[str, str], body: bytes) -> None:
        self.latencies.append((time.perf_counter() - start) * 1000)
        if headers.get(":status") != "201":
            self.failures += 1
        elif "location" in headers:  # the bare app's answers have none
            offers = json.loads(body)["bdtPolData"]["transfPolicies"]
            self.created.append({"location": headers["location"], "offers": offers})


async def _generate(
    urls: Sequence[str], bodies: Iterator[bytes], seconds: float, connections: int, streams: int
) -> tuple[Result, list[dict[str, Any]]]:
    tally = _Tally([], [])
    start = time.perf_counter()
    per_connection = max(1, streams // connections)
    await asyncio.gather(
        *(
            _one_connection(
                httpx.URL(urls[n % len(urls)]), bodies, start + seconds, per_connection, tally
            )
            for n in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return Result(len(tally.latencies), elapsed, tally.latencies, tally.failures), tally.created


def generate_creates(
    urls: Sequence[str], seconds: float, connections: int, streams: int, first: int
) -> tuple[Result, list[dict[str, Any]]]:
    """Unique Creates for ``seconds``; (the result, the policies made).

    Each connection goes to one of ``urls`` in turn.
    """
    bodies = (json.dumps(create_body(first + n)).encode() for n in range(10**9))
    return asyncio.run(_generate(urls, bodies, seconds, connections, streams))


# --- servers ------------------------------------------------------------------------------


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_app(
    target: str, workers: int, paths: Sequence[Path], log: Path, base: str
) -> tuple[subprocess.Popen[bytes], str]:
    """The app's process and its API root (``base`` under the server's root).

    ``target`` "ceiling": the connexion ceiling, with its files in ``log``'s folder.
    """
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in (*paths, HERE, ROOT)))
    command = [
        sys.executable,
        __file__,
        "--serve",
        target,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--folder",
        str(log.parent),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    root = f"http://127.0.0.1:{port}{base}"
    wait_up(f"{root}/bdtpolicies/probe", process, seconds=120)
    return process, root


def start_pcf(
    workers: int, folder: Path, log: Path, db: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """A ``pcf-bdt serve`` process and its root; on ``db``, else on a fresh SQLite file."""
    port, admin = free_ports(2)
    db = db or str(folder / f"pcf-{workers}-{time.monotonic_ns()}.db")
    command: list[str | Path] = [
        BIN / "pcf-bdt",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--db",
        db,
        "--config",
        str(bench_config(folder)),
        "--admin-listen",
        f"127.0.0.1:{admin}",
    ]
    process = subprocess.Popen(
        command, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    root = f"http://127.0.0.1:{port}"
    wait_up(f"{root}{BASE}/bdtpolicies/probe", process, seconds=120)
    return process, root


# --- the run ------------------------------------------------------------------------------


def _shares(items: Sequence[str], parts: int) -> list[list[str]]:
    return [list(items[n::parts]) for n in range(parts) if items[n::parts]]


def measure_fixed(root: str, args: argparse.Namespace) -> dict[str, Result]:
    """Create, GET and PATCH with one body each (bare app, stub: under ``root``)."""
    create = json.dumps(create_body(0)).encode()
    patch = b'{"selTransPolicyId":1}'
    one = f"{root}/bdtpolicies/x1"
    lists = [[f"{root}/bdtpolicies"]] * args.connections
    return {
        "create": h2load(lists, args.streams, seconds=args.seconds, method="POST", body=create),
        "get": h2load([[one]] * args.connections, args.streams, seconds=args.seconds),
        "patch": h2load(
            [[one]] * args.connections,
            args.streams,
            seconds=args.seconds,
            method="PATCH",
            body=patch,
            content_type=MERGE_PATCH,
        ),
    }


def _spread(paths: Sequence[str], roots: Sequence[str], connections: int) -> list[list[str]]:
    """``paths`` shared out over ``connections``, each connection to one of ``roots`` in turn.

    Any instance on a shared store answers for every policy in it.
    """
    return [
        [f"{roots[n % len(roots)]}{path}" for path in share]
        for n, share in enumerate(_shares(paths, connections))
    ]


def measure_pcf(roots: Sequence[str], args: argparse.Namespace, first: int) -> dict[str, Result]:
    """Create, GET and PATCH on the PCF instances at ``roots`` (one store), load spread."""
    create, made = generate_creates(
        [f"{root}{BASE}/bdtpolicies" for root in roots],
        args.seconds,
        args.connections,
        args.streams,
        first,
    )
    if not made:
        raise SystemExit("the PCF created no policy")
    paths = [m["location"][m["location"].index(BASE) :] for m in made]
    get = h2load(_spread(paths, roots, args.connections), args.streams, seconds=args.seconds)
    selectable = [path for path, m in zip(paths, made, strict=True) if len(m["offers"]) > 1]
    first_ids = {m["offers"][0]["transPolicyId"] for m in made if len(m["offers"]) > 1}
    if not selectable or first_ids != {1}:
        raise SystemExit(f"no policies to select, or first ids {first_ids}")
    repeat = h2load(
        [[f"{roots[n % len(roots)]}{BASE}/bdtpolicies"] for n in range(args.connections)],
        args.streams,
        seconds=args.seconds,
        method="POST",
        body=json.dumps(create_body(first)).encode(),  # the first Create made
        expected="303",
    )
    patch = h2load(
        _spread(selectable, roots, args.connections),
        args.streams,
        seconds=None,
        method="PATCH",
        body=b'{"selTransPolicyId":1}',
        content_type=MERGE_PATCH,
    )
    return {"create": create, "get": get, "patch": patch, REPEAT: repeat}


def _row(name: str, result: Result | None) -> str:
    if result is None:
        return f"| {name} | | | | |"
    failed = f" ({result.failures} not {result.expected})" if result.failures else ""
    return (
        f"| {name} | {result.rate:,.0f}{failed} | {result.percentile(0.5):.1f} |"
        f" {result.percentile(0.99):.1f} | {result.percentile(0.99) / result.percentile(0.5):.1f} |"
    )


def median_round(rounds: Sequence[Result]) -> Result:
    """The round with the median req/s (the lower of the two middle ones for an even count)."""
    return sorted(rounds, key=lambda result: result.rate)[(len(rounds) - 1) // 2]


def _ratio(a: Result | None, b: Result | None) -> str:
    if not (a and b and b.rate):
        return "-"
    ratio = a.rate / b.rate
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.3f}"


def _interrupted(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: servers stopped, database dropped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 worker, 1 s each, 0.5 s warm-up")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help="seconds of Creates sent to each server after it starts, not measured"
        " (every worker started and warm: 0 measures the start too)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="interleaved rounds; each row's median round is reported",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--streams", type=int, default=50, help="concurrent HTTP/2 streams")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=SERVERS,
        default=list(SERVERS),
        help="the rows to measure (all by default; ratios need bare and stub)",
    )
    parser.add_argument("--no-stub", action="store_true", help="leave the generated stub out")
    parser.add_argument(
        "--pg",
        default=os.environ.get("PCF_BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URI, without a database (one is made and dropped per row)",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve == "ceiling":
        serve_ceiling(args.port, args.workers[0], args.folder)
        return 0
    if args.serve:
        serve(args.serve, args.port, args.workers[0])
        return 0
    if args.quick:
        args.seconds, args.workers, args.warmup = 1.0, [1], min(args.warmup, 0.5)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if shutil.which("h2load") is None:
        print("h2load is missing: apt-get install -y nghttp2-client", file=sys.stderr)
        return 2
    servers = [name for name in SERVERS if name in args.servers]
    stub: list[Path] = []
    if "stub" in servers:
        stub, why = ([], "--no-stub") if args.no_stub else stub_paths()
        if why:
            print(f"stub skipped: {why}")
            servers.remove("stub")
    if any(name in PG_INSTANCES for name in servers):
        pg_why = postgres_unreachable(args.pg)
        if pg_why:
            print(f"PostgreSQL rows skipped: {pg_why}")
            servers = [name for name in servers if name not in PG_INSTANCES]
    print(
        f"{args.streams} streams on {args.connections} h2c connections, {args.seconds:g} s"
        f" per measurement after {args.warmup:g} s of Creates to each server started,"
        f" {_rounds(args.rounds)}, {os.cpu_count()} cores, load average"
        f" {' '.join(f'{n:.2f}' for n in os.getloadavg())} at the start"
    )
    signal.signal(signal.SIGTERM, _interrupted)
    rounds: dict[tuple[str, int], dict[str, list[Result]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        log = folder / "servers.log"
        try:
            for _ in range(args.rounds):
                for workers in args.workers:
                    for name in servers:
                        measured = _measure(name, workers, folder, log, args, stub)
                        row = rounds.setdefault((name, workers), {})
                        for operation, result in measured.items():
                            row.setdefault(operation, []).append(result)
        except BaseException:
            print(log.read_text()[-3000:] if log.exists() else "", file=sys.stderr)
            raise
    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())} at the end")
    results = {
        row: {operation: median_round(each) for operation, each in measured.items()}
        for row, measured in rounds.items()
    }
    _report(results, args.workers, servers)
    if args.rounds > 1:
        _report_rounds(rounds, args.workers, servers)
    return 0


def _rounds(count: int) -> str:
    return "one round" if count == 1 else f"median of {count} interleaved rounds"


def _measure(
    name: str,
    workers: int,
    folder: Path,
    log: Path,
    args: argparse.Namespace,
    stub: Sequence[Path],
) -> dict[str, Result]:
    """One row: its server(s) started, measured and stopped (its database dropped)."""
    first = (workers * len(SERVERS) + SERVERS.index(name)) * 10**7  # unique aspIds
    with ExitStack() as stack:
        if name in ("bare", "stub", "ceiling"):
            target = {"bare": "pcf_throughput:bare_app", "stub": "openapi_server.main:app"}
            # The generated stub serves the API at its root, without the API's base path.
            paths, base = (stub, "") if name == "stub" else ([], BASE)
            process, root = start_app(target.get(name, name), workers, paths, log, base)
            stack.callback(stop, process)
            if args.warmup > 0:
                h2load(
                    [[f"{root}/bdtpolicies"]] * args.connections,
                    args.streams,
                    seconds=args.warmup,
                    method="POST",
                    body=json.dumps(create_body(0)).encode(),
                )
            measured = measure_fixed(root, args)
            for operation, result in measured.items():
                if result.failures:  # not a baseline: it answered something else
                    raise SystemExit(
                        f"{name} answered {result.failures} of {result.requests}"
                        f" {operation} requests with other than 2xx"
                    )
            if name == "bare":  # how far our Create generator is from limiting the PCF
                measured["generator"] = generate_creates(
                    [f"{root}/bdtpolicies"], args.seconds, args.connections, args.streams, 0
                )[0]
            return measured
        db = None
        if name in PG_INSTANCES:
            db = stack.enter_context(postgres_database(args.pg))
            print(f"{name}, {workers} worker(s): database {db.rsplit('/', 1)[1]}, dropped after")
        roots = []
        for _ in range(PG_INSTANCES.get(name, 1)):
            process, root = start_pcf(workers, folder, log, db)
            stack.callback(stop, process)  # before the database is dropped
            roots.append(root)
        if args.warmup > 0:  # Creates of aspIds the measured ones never take
            urls = [f"{root}{BASE}/bdtpolicies" for root in roots]
            generate_creates(
                urls, args.warmup, args.connections, args.streams, first + WARM_UP_FIRST
            )
        return measure_pcf(roots, args, first)
    raise AssertionError("unreachable")  # mypy: ExitStack may swallow exceptions


def _report(
    results: dict[tuple[str, int], dict[str, Result]],
    worker_counts: Sequence[int],
    servers: Sequence[str],
) -> None:
    print("\n| server, operation, workers | req/s | p50 ms | p99 ms | p99/p50 |")
    print("|---|---:|---:|---:|---:|")
    for workers in worker_counts:
        for operation in (*OPERATIONS, REPEAT):
            for server in servers:
                if operation in results[server, workers]:
                    row = f"{server} {operation}, {workers}"
                    print(_row(row, results[server, workers][operation]))
        if ("bare", workers) in results:
            generator = results["bare", workers]["generator"]
            print(_row(f"generator ceiling (bare Create), {workers}", generator))
    measured = [name for name in servers if name not in ("bare", "stub")]
    print("\n| operation, workers, server | / stub | / bare |")
    print("|---|---:|---:|")
    for workers in worker_counts:
        for operation in OPERATIONS:
            stub = results.get(("stub", workers), {}).get(operation)
            bare = results.get(("bare", workers), {}).get(operation)
            for name in measured:
                mine = results[name, workers][operation]
                ratios = f"{_ratio(mine, stub)} | {_ratio(mine, bare)}"
                print(f"| {operation}, {workers}, {name} | {ratios} |")
    print()
    for name in ("pcf", "pcf-pg1", "pcf-pg2"):
        if (name, 1) in results and (name, 2) in results:
            gain = _ratio(results[name, 2]["create"], results[name, 1]["create"])
            print(f"{name} Create, 2 workers / 1 worker: {gain}")
    for workers in worker_counts:
        if ("pcf-pg1", workers) in results and ("pcf-pg2", workers) in results:
            gain = _ratio(
                results["pcf-pg2", workers]["create"], results["pcf-pg1", workers]["create"]
            )
            print(f"PostgreSQL Create, {workers} worker(s) each, 2 instances / 1: {gain}")
    for workers in worker_counts:
        for name in servers:
            measured_row = results[name, workers]
            if REPEAT in measured_row:
                repeat = _ratio(measured_row[REPEAT], measured_row["get"])
                print(f"{name}, {workers} worker(s): repeat (303) / GET: {repeat}")


def _report_rounds(
    rounds: dict[tuple[str, int], dict[str, list[Result]]],
    worker_counts: Sequence[int],
    servers: Sequence[str],
) -> None:
    """Every round's req/s, so that a reader sees how much the rounds agreed."""
    count = len(next(iter(rounds.values()))["create"])
    headings = " | ".join(f"round {n + 1}" for n in range(count))
    print(f"\n| server, operation, workers | {headings} |")
    print(f"|---|{'---:|' * count}")
    for workers in worker_counts:
        for operation in (*OPERATIONS, REPEAT):
            for server in servers:
                if operation not in rounds[server, workers]:
                    continue
                each = rounds[server, workers][operation]
                rates = " | ".join(f"{result.rate:,.0f}" for result in each)
                print(f"| {server} {operation}, {workers} | {rates} |")


if __name__ == "__main__":
    sys.exit(main())
