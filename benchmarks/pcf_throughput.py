"""Create, GET and PATCH throughput and latency: bare ASGI, the generated stub, our PCF.

One run measures, at each ``--workers`` count, three servers on the same granian with the
same settings (those of ``pcf-bdt serve``: HTTP/1.1 and h2c on one port, its backlog,
connection limit and timeouts), over HTTP/2 with ``--streams`` concurrent streams on
``--connections`` connections, and prints req/s, p50, p99 and the ratios:

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
- *pcf*: ``pcf-bdt serve`` on a fresh SQLite file with durable commits, configured so
  that capacity and the per-consumer limits never refuse a benchmark request.

Load: ``h2load`` (``apt-get install -y nghttp2-client``) for everything but the PCF's
Create. h2load sends one body for all requests; the bare app and the stub store nothing,
so one body is a real Create for them, but the PCF answers a repeated body with 303. Its
Create runs on a small HTTP/2 load generator of ours (the h2 library on asyncio, one
process, ``--connections`` connections) with a unique body per request. It costs more
CPU per request than h2load and shares the 2 cores with the server, so the PCF's Create
is measured at a disadvantage: its ratios are a lower bound. The line ``generator ceiling``
is the same generator against the bare app, to show how far it is from limiting.

GET uses the policies that Create made; PATCH selects the first transfer policy of each
once (each connection its own share of them, so that no policy is selected twice).

    .venv/bin/python benchmarks/pcf_throughput.py            # about two minutes
    .venv/bin/python benchmarks/pcf_throughput.py --quick    # a smoke run, 1 worker, 1 s
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from _servers import free_port, wait_up
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import DataReceived, ResponseReceived, StreamEnded, StreamReset

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
OFFICIAL = ROOT.parent / "shared" / "3gpp" / "Rel-18" / "TS29554_Npcf_BDTPolicyControl.yaml"
BASE = "/npcf-bdtpolicycontrol/v1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "npcf-bdt-benchmark"
METRO_TAI = {"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}  # default.yaml's metro
OPERATIONS = ("create", "get", "patch")
MERGE_PATCH = "application/merge-patch+json"  # what TS 29.554 gives for the Update


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


def serve(target: str, port: int, workers: int) -> None:
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
        **_connection_limits(defaults),
    ).serve()


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
        impl = _STUB_IMPL % repr(_policy_document(3))
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


def _policy_document(offers: int) -> dict[str, Any]:
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
    failures: int

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
) -> Result:
    """One h2load process per URL list, all at once, each one connection.

    With ``seconds`` None each process sends each of its URLs once.
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
                if not status.startswith("2"):
                    failures += 1
                latencies.append(int(micros) / 1000)
    return Result(len(latencies), seconds if seconds is not None else elapsed, latencies, failures)


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
    url: str, bodies: Iterator[bytes], seconds: float, connections: int, streams: int
) -> tuple[Result, list[dict[str, Any]]]:
    tally = _Tally([], [])
    start = time.perf_counter()
    per_connection = max(1, streams // connections)
    await asyncio.gather(
        *(
            _one_connection(httpx.URL(url), bodies, start + seconds, per_connection, tally)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return Result(len(tally.latencies), elapsed, tally.latencies, tally.failures), tally.created


def generate_creates(
    url: str, seconds: float, connections: int, streams: int, first: int
) -> tuple[Result, list[dict[str, Any]]]:
    """Unique Creates for ``seconds``; (the result, the policies made)."""
    bodies = (json.dumps(create_body(first + n)).encode() for n in range(10**9))
    return asyncio.run(_generate(url, bodies, seconds, connections, streams))


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
    """The app's process and its API root (``base`` under the server's root)."""
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
    ]
    process = subprocess.Popen(
        command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    root = f"http://127.0.0.1:{port}{base}"
    wait_up(f"{root}/bdtpolicies/probe", process, seconds=120)
    return process, root


def start_pcf(workers: int, folder: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port, admin = free_port(), free_port()
    db = folder / f"pcf-{workers}-{time.monotonic_ns()}.db"
    command: list[str | Path] = [
        BIN / "pcf-bdt",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--db",
        str(db),
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


def measure_pcf(root: str, args: argparse.Namespace, first: int) -> dict[str, Result]:
    create, made = generate_creates(
        f"{root}{BASE}/bdtpolicies", args.seconds, args.connections, args.streams, first
    )
    if not made:
        raise SystemExit("the PCF created no policy")
    urls = [m["location"] for m in made]
    get = h2load(_shares(urls, args.connections), args.streams, seconds=args.seconds)
    selectable = [m["location"] for m in made if len(m["offers"]) > 1]
    first_ids = {m["offers"][0]["transPolicyId"] for m in made if len(m["offers"]) > 1}
    if not selectable or first_ids != {1}:
        raise SystemExit(f"no policies to select, or first ids {first_ids}")
    patch = h2load(
        _shares(selectable, args.connections),
        args.streams,
        seconds=None,
        method="PATCH",
        body=b'{"selTransPolicyId":1}',
        content_type=MERGE_PATCH,
    )
    return {"create": create, "get": get, "patch": patch}


def _row(name: str, result: Result | None) -> str:
    if result is None:
        return f"| {name} | | | | |"
    failed = f" ({result.failures} not 2xx)" if result.failures else ""
    return (
        f"| {name} | {result.rate:,.0f}{failed} | {result.percentile(0.5):.1f} |"
        f" {result.percentile(0.99):.1f} | {result.percentile(0.99) / result.percentile(0.5):.1f} |"
    )


def _ratio(a: Result | None, b: Result | None) -> str:
    return f"{a.rate / b.rate:.2f}" if a and b and b.rate else "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 worker, 1 s per measurement")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--streams", type=int, default=50, help="concurrent HTTP/2 streams")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--no-stub", action="store_true", help="leave the generated stub out")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.workers[0])
        return 0
    if args.quick:
        args.seconds, args.workers = 1.0, [1]
    if shutil.which("h2load") is None:
        print("h2load is missing: apt-get install -y nghttp2-client", file=sys.stderr)
        return 2
    stub, why = ([], "--no-stub") if args.no_stub else stub_paths()
    if why:
        print(f"stub skipped: {why}")
    print(
        f"{args.streams} streams on {args.connections} h2c connections, {args.seconds:g} s"
        f" per measurement, {os.cpu_count()} cores"
    )
    results: dict[tuple[str, int], dict[str, Result]] = {}
    ceiling: dict[int, Result] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        log = folder / "servers.log"
        try:
            for workers in args.workers:
                process, root = start_app("pcf_throughput:bare_app", workers, [], log, BASE)
                try:
                    results["bare", workers] = measure_fixed(root, args)
                    ceiling[workers] = generate_creates(
                        f"{root}/bdtpolicies",
                        args.seconds,
                        args.connections,
                        args.streams,
                        0,
                    )[0]
                finally:
                    stop(process)
                if not why:
                    process, root = start_app("openapi_server.main:app", workers, stub, log, "")
                    try:
                        results["stub", workers] = measure_fixed(root, args)
                    finally:
                        stop(process)
                process, root = start_pcf(workers, folder, log)
                try:
                    results["pcf", workers] = measure_pcf(root, args, first=workers * 10**7)
                finally:
                    stop(process)
        except BaseException:
            print(log.read_text()[-3000:] if log.exists() else "", file=sys.stderr)
            raise
    _report(results, ceiling, args.workers)
    return 0


def _report(
    results: dict[tuple[str, int], dict[str, Result]],
    ceiling: dict[int, Result],
    worker_counts: Sequence[int],
) -> None:
    print("\n| server, operation, workers | req/s | p50 ms | p99 ms | p99/p50 |")
    print("|---|---:|---:|---:|---:|")
    for workers in worker_counts:
        for operation in OPERATIONS:
            for server in ("bare", "stub", "pcf"):
                found = results.get((server, workers))
                if found is not None:
                    print(_row(f"{server} {operation}, {workers}", found[operation]))
        print(_row(f"generator ceiling (bare Create), {workers}", ceiling[workers]))
    print("\n| operation, workers | PCF / stub | PCF / bare |")
    print("|---|---:|---:|")
    for workers in worker_counts:
        for operation in OPERATIONS:
            pcf = results["pcf", workers][operation]
            stub = results.get(("stub", workers), {}).get(operation)
            bare = results["bare", workers][operation]
            print(f"| {operation}, {workers} | {_ratio(pcf, stub)} | {_ratio(pcf, bare)} |")
    if 1 in worker_counts and 2 in worker_counts:
        gain = _ratio(results["pcf", 2]["create"], results["pcf", 1]["create"])
        print(f"\nPCF Create, 2 workers / 1 worker: {gain}")


if __name__ == "__main__":
    sys.exit(main())
