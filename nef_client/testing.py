"""Real servers to test against, each in a child process: PCF stub and NEF gateway.

``pcf-bdt serve --stub`` is the PCF a NEF is tested against; ``nef-bdt gateway`` in front
of it is the NEF an AF is tested against.

The pytest plugin (``nef_client.pytest_plugin``, loaded automatically once npcf-bdt is
installed) gives tests the ``pcf_stub`` and ``nef_gateway`` fixtures built on this
module; other harnesses (benchmarks, unittest) can call ``start_pcf_stub`` and
``start_nef_gateway`` directly. Starting them needs the ``server`` and ``receiver``
extras (``pip install 'npcf-bdt[server,receiver]'``); importing this module does not.

``NrfStub`` is a small NRF: a token endpoint (TS 29.510 clause 5.4) that signs access
tokens with a key it generates (with ``start_pcf_stub(nrf=...)`` the PCF asks for
tokens signed by it, so a NEF's OAuth 2.0 path, ``nef_client.NrfClientCredentials``, is
tested end to end, refusals included), and the NF registrations and discovery a PCF
(``pcf-bdt serve --nrf``) and a NEF (``nef_client.Client(nrf=...)``) use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from nef_client._core import API_PATH
from nef_client._extras import missing_extra
from nef_gateway.settings import BASE_PATH as GATEWAY_API_PATH
from nf_common.asgi import read_body, respond
from pcf_server.settings import ADMIN_BASE_PATH as ADMIN_PATH

API_SCOPE = "npcf-bdtpolicycontrol"

__all__ = [
    "NefGateway",
    "NotificationSink",
    "NrfStub",
    "PcfStub",
    "PcfStubError",
    "RecordedRequest",
    "free_ports",
    "notification_sink",
    "redacted",
    "start_nef_gateway",
    "start_nrf_stub",
    "start_pcf_stub",
]


class PcfStubError(RuntimeError):
    """The stub PCF could not be started or did not do what a test asked."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the PCF received on the 3GPP API, as it arrived."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    """The JSON body parsed, text if it was not JSON, None if empty."""
    status: int | None
    """The status the PCF (or an injected fault) answered."""
    http_version: str | None


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports.

    Bound together, so none is handed out twice: a port just closed can come back from
    the next ``bind(0)`` (about once in 10,000 pairs here), and a server asked for the
    same port twice fails to start.
    """
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def _announced_port(log_path: Path, pattern: str, process: subprocess.Popen[bytes],
                    deadline: float) -> int:  # fmt: skip
    """The port a server started with ``--port 0`` says it listens on, from its log.

    Asking the server for a free port (rather than finding one here and handing it
    over) leaves no moment in which another program could take it.
    """
    found = re.compile(pattern)
    while True:
        match = found.search(log_path.read_text(errors="replace"))
        if match is not None:
            return int(match.group(1))
        if process.poll() is not None or time.monotonic() > deadline:
            return 0
        time.sleep(0.05)


def _isoformat(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("times need a time zone")
    return value.isoformat()


def redacted(token: str, scheme: str = "Bearer") -> str:
    """How the stub's journal shows ``Authorization: Bearer <token>``: never the token.

    The digest tells which token it was: compare ``request.headers["authorization"]``
    with ``redacted(token)``.
    """
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]
    return f"{scheme} [redacted sha256:{digest}]"


class PcfStub:
    """Handle on a running stub PCF: its URLs and the admin calls a test needs.

    ``root`` is the 3GPP API's listener, ``admin_root`` the operator listener, where the
    stub's own API is (``pcf-bdt serve --admin-listen``).
    """

    def __init__(self, root: str, admin_root: str) -> None:
        self.root = root.rstrip("/")
        self.admin_root = admin_root.rstrip("/")
        self._admin = httpx.Client(base_url=self.admin_root + ADMIN_PATH, timeout=10)

    @property
    def url(self) -> str:
        """The API's base URL (``.../npcf-bdtpolicycontrol/v1``), for the NEF under test."""
        return self.root + API_PATH

    def _call(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self._admin.request(method, path, json=json)
        if response.status_code >= 400:
            raise PcfStubError(f"{method} {path}: {response.status_code} {response.text}")
        return response

    def reset(self) -> None:
        """Empty the PCF's store, the request journal and pending faults."""
        self._call("POST", "/reset")

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        cause: str | None = "NF_CONGESTION",
        retry_after: int | None = None,
        location: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``count`` API requests (of ``method``, if given) get ``status``.

        4xx/5xx come with a ProblemDetails carrying ``cause``; ``retry_after`` adds a
        Retry-After header; 3xx need a ``location`` (e.g. 303 to an existing policy,
        307/308 to another PCF).
        """
        self._call(
            "POST",
            "/faults",
            {
                "count": count,
                "status": status,
                "cause": cause,
                "retryAfter": retry_after,
                "location": location,
                "method": method,
            },
        )

    def requests(self) -> list[RecordedRequest]:
        """The API requests received since the last reset/clear, oldest first."""
        return [
            RecordedRequest(
                method=entry["method"],
                path=entry["path"],
                query=entry["query"],
                headers=entry["headers"],
                body=entry["body"],
                status=entry["status"],
                http_version=entry.get("httpVersion"),
            )
            for entry in self._call("GET", "/requests").json()
        ]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # The operator API of the load-aware engine (the same one `pcf-bdt degrade` uses).

    def set_capacity(self, area_id: str, *, downlink: str, uplink: str) -> None:
        """Set an area's capacity, as BitRate strings (``"1 Gbps"``)."""
        self._call("PUT", f"/areas/{area_id}/capacity", {"downlink": downlink, "uplink": uplink})

    def areas(self) -> Any:
        """The areas the PCF models, as its admin API reports them."""
        return self._call("GET", "/areas").json()

    def degrade(
        self, area_id: str, start: datetime, stop: datetime, factor: float
    ) -> dict[str, Any]:
        """Report a network degradation; the PCF sends warning notifications.

        Returns ``{"id": ..., "affected": [...], "notified": [...]}`` as the PCF reports
        it: the degradation's id, the policies it affected and those warned.
        """
        response = self._call(
            "POST",
            "/degradations",
            {
                "areaId": area_id,
                "timeWindow": {"startTime": _isoformat(start), "stopTime": _isoformat(stop)},
                "factor": factor,
            },
        )
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._admin.close()


# The modules each extra brings that the helpers below import, by extra.
def require_extra(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise ``PcfStubError`` naming the extra to install when one of its modules is absent."""
    sentence = missing_extra(extra, what, modules)
    if sentence is not None:
        raise PcfStubError(sentence)


def _check_server_installed() -> None:
    require_extra("server", "the PCF stub", ("connexion", "granian"))


@contextmanager
def start_pcf_stub(
    workdir: Path | None = None,
    *,
    port: int | None = None,
    timeout: float = 30.0,
    nrf: NrfStub | None = None,
) -> Iterator[PcfStub]:
    """Run ``pcf-bdt serve --stub`` on free ports until the block ends.

    With ``nrf``, the 3GPP API asks for access tokens that ``nrf`` signed.
    """
    _check_server_installed()
    with tempfile.TemporaryDirectory(prefix="pcf-stub-") as scratch:
        folder = Path(workdir or scratch)
        name = f"pcf-stub-{uuid.uuid4().hex[:8]}"
        # A clash on a port given here fails the start, never shares it (pcf-bdt serve).
        # Both chosen here: the server's own bind(0) could pick the admin port just freed.
        free = free_ports(2)
        api_port = port or free[0]
        admin_port = next(p for p in free if p != api_port)
        log_path = folder / f"{name}.log"
        command = [sys.executable, "-m", "pcf_server", "serve", "--stub"]
        command += ["--port", str(api_port), "--db", str(folder / f"{name}.db")]
        # A PCF stops once its clients have closed their connections: a test that never
        # closes its client would hold the stub (and the end of the session) for 10 s.
        command += ["--shutdown-timeout", "1"]
        command += ["--admin-listen", f"127.0.0.1:{admin_port}"]
        if nrf is not None:
            key = folder / f"{name}-nrf.pem"
            key.write_bytes(nrf.public_key_pem)
            command += ["--oauth2-key", str(key), "--oauth2-issuer", nrf.issuer]
        stubs: list[PcfStub] = []

        def ready(port: int) -> bool:
            if not stubs:
                stubs.append(PcfStub(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{admin_port}"))
            try:
                stubs[0].requests()
            except (httpx.TransportError, PcfStubError):
                return False
            return True

        # the start-up line: "pcf-bdt VERSION: 3GPP API and probes on http://HOST:PORT ..."
        announced = r"3GPP API[\w ]* on https?://(?:\[[^\]]*\]|[^\s:/]+):(\d+)"
        try:
            with _server("the PCF stub", command, log_path, ready, timeout, announced):
                yield stubs[0]
        finally:
            for stub in stubs:
                stub.close()


@contextmanager
def _server(
    name: str,
    command: list[str],
    log_path: Path,
    ready: Callable[[int], bool],
    timeout: float,
    announced: str,
) -> Iterator[None]:
    """Run ``command`` until the block ends, once ``ready(port)``; its output goes to the log.

    ``port`` is the one the server announces in its log (``announced`` finds it).

    It runs in a session of its own, so that a server that will not stop is killed with
    its worker processes (granian's survive their parent otherwise).
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            port = _announced_port(log_path, announced, process, deadline)
            while not ready(port):
                if process.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise PcfStubError(f"{name} exited with {process.returncode}:\n{tail}")
                if time.monotonic() > deadline:
                    raise PcfStubError(f"{name} did not answer within {timeout}s")
                time.sleep(0.05)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class NefGateway:
    """Handle on a running NEF gateway (``nef-bdt gateway``): its URLs and its store."""

    def __init__(self, root: str, db: Path) -> None:
        self.root = root.rstrip("/")
        self.db = db

    @property
    def url(self) -> str:
        """The 3gpp-bdt base URL (``.../3gpp-bdt/v1``), for the AF under test."""
        return self.root + GATEWAY_API_PATH

    def subscriptions_url(self, scs_as_id: str) -> str:
        """The AF's subscriptions collection."""
        return f"{self.url}/{scs_as_id}/subscriptions"

    def outbox(self) -> list[dict[str, Any]]:
        """The warnings waiting for (or given up on) delivery to AFs, oldest first."""
        from nef_gateway.storage import SqliteStore

        with SqliteStore(self.db).unit_of_work(write=False) as uow:
            return uow.outbox.rows()

    def reset(self) -> None:
        """Forget every subscription, received warning and pending delivery.

        The gateway keeps its state in its database only, so emptying its store is a
        fresh gateway (the PCF's policies are the stub's business: ``pcf_stub.reset``).
        """
        from nef_gateway.storage import SqliteStore

        SqliteStore(self.db).reset()


@contextmanager
def start_nef_gateway(
    pcf_url: str,
    workdir: Path | None = None,
    *,
    port: int | None = None,
    allowed_afs: tuple[str, ...] = (),
    groups: dict[str, str] | None = None,
    timeout: float = 30.0,
    client_options: Sequence[str] = (),
) -> Iterator[NefGateway]:
    """Run ``nef-bdt gateway --pcf PCF_URL`` on a free port until the block ends.

    ``allowed_afs`` limits the AFs served (others get 403); ``groups`` maps external group
    ids to internal ones; ``client_options`` are nef-bdt's options for reaching the PCF,
    e.g. ``["--nrf", nrf_stub.url, "--nf-instance-id", NF_ID]`` for a PCF that asks for
    tokens.
    """
    _check_server_installed()
    with tempfile.TemporaryDirectory(prefix="nef-gateway-") as scratch:
        folder = Path(workdir or scratch)
        name = f"nef-gateway-{uuid.uuid4().hex[:8]}"
        # In a workdir of the caller's the store keeps its name: a gateway started again
        # there finds its subscriptions.
        db = folder / ("nef-gateway.db" if workdir is not None else f"{name}.db")
        log_path = folder / f"{name}.log"
        command = [sys.executable, "-m", "nef_client.cli", "gateway", "--pcf", pcf_url]
        command += ["--port", str(port or 0), "--db", str(db), *client_options]
        # A lab: the tests' AFs listen on this machine.
        command += ["--allow-destination", "127.0.0.0/8", "--allow-destination", "::1"]
        for af in allowed_afs:
            command += ["--allow-af", af]
        if groups:
            groups_file = folder / f"{name}-groups.json"
            groups_file.write_text(json.dumps(groups), encoding="utf-8")
            command += ["--groups", str(groups_file)]
        gateways: list[NefGateway] = []

        def ready(port: int) -> bool:
            if not gateways:
                gateways.append(NefGateway(f"http://127.0.0.1:{port}", db))
            try:
                return httpx.get(gateways[0].url + "/probe", timeout=1).status_code == 404
            except httpx.TransportError:
                return False

        announced = r"nef-bdt gateway: https?://\S+?:(\d+)/"
        with _server("the NEF gateway", command, log_path, ready, timeout, announced):
            yield gateways[0]


class NotificationSink:
    """Warning notifications received by a test's receiver, in arrival order."""

    def __init__(self) -> None:
        import threading

        self.url = ""
        """The receiver's URL: give it (plus any path) as ``notification_uri``."""
        self.received: list[Any] = []
        self._arrived = threading.Condition()

    def __call__(self, notification: Any) -> None:
        with self._arrived:
            self.received.append(notification)
            self._arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Block until ``count`` notifications arrived; raise TimeoutError otherwise."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} notifications arrived")
            return list(self.received)


@contextmanager
def notification_sink() -> Iterator[NotificationSink]:
    """Run a notification receiver in this process that collects what it gets."""
    require_extra("receiver", "the notification receiver (nef_notifications)")
    from nef_client.receiver import receiver_in_background

    sink = NotificationSink()
    with receiver_in_background(sink) as url:
        sink.url = url
        yield sink


class NrfStub:
    """A small NRF for tests: tokens, NF registrations and discovery (TS 29.510).

    Tokens: ``POST /oauth2/token`` answers each AccessTokenReq (client credentials) with
    a JWT signed by a P-256 key it generates (ES256): ``iss`` is ``issuer``, ``sub`` the
    ``nfInstanceId`` asked for, ``aud`` the ``targetNfType``, ``scope`` the scope asked
    for, ``exp`` in ``lifetime`` seconds. ``public_key_pem`` is what a PCF is given
    (``--oauth2-key``). ``refuse_with`` makes it answer 400 AccessTokenErr with that error
    instead; ``forms`` are the requests it got.

    NF management (``/nnrf-nfm/v1/nf-instances/{id}``): PUT registers a profile (201, or
    200 for one it has) and answers with ``heartbeat_timer``; PATCH (a heartbeat) and
    DELETE answer 204, or 404 for an instance it does not know; ``forget()`` drops every
    registration, as an NRF that restarted. ``profiles`` are the registered ones,
    ``events`` the (method, nfInstanceId) of each request in order.

    Discovery (``GET /nnrf-disc/v1/nf-instances``): the registered profiles of
    ``target-nf-type`` offering one of ``service-names``, valid ``validity_period``
    seconds; ``discoveries`` are the queries it got.

    Run it with ``start_nrf_stub``. Needs PyJWT and cryptography (the ``server`` extra).
    """

    def __init__(self, issuer: str = "nrf-stub", lifetime: int = 3600) -> None:
        import threading

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.issuer = issuer
        self.lifetime = lifetime
        self.refuse_with: str | None = None
        self.forms: list[dict[str, str]] = []
        self.heartbeat_timer = 60
        self.validity_period = 60
        self.profiles: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[str, str]] = []
        self.discoveries: list[dict[str, str]] = []
        self.url = ""
        """The NRF's apiRoot once started (``NrfClientCredentials(nrf_url=...)``)."""
        self._changed = threading.Condition()
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.public_key_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def issue(
        self,
        nf_instance_id: str,
        scope: str = API_SCOPE,
        *,
        lifetime: int | None = None,
        audience: str | None = "PCF",
        **claims: Any,
    ) -> str:
        """A token as the NRF would sign it; ``claims`` add to or replace the usual ones."""
        import jwt

        now = int(time.time())
        document: dict[str, Any] = {
            "iss": self.issuer,
            "sub": nf_instance_id,
            "scope": scope,
            "iat": now,
            "exp": now + (self.lifetime if lifetime is None else lifetime),
        }
        if audience is not None:
            document["aud"] = audience
        document.update(claims)
        return jwt.encode(document, self._key, algorithm="ES256")

    def credentials(self, nf_instance_id: str, scope: str = API_SCOPE) -> Any:
        """``nef_client.NrfClientCredentials`` that fetch tokens from this NRF."""
        from nef_client import NrfClientCredentials

        return NrfClientCredentials(nrf_url=self.url, nf_instance_id=nf_instance_id, scope=scope)

    def forget(self) -> None:
        """Drop every registration, as an NRF that restarted without them."""
        with self._changed:
            self.profiles.clear()

    def wait_for(self, condition: Any, timeout: float = 10.0) -> None:
        """Block until ``condition()`` holds (checked at each request); TimeoutError else."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise TimeoutError(f"NRF stub: condition not met in {timeout}s: {self.events}")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        path, method = scope["path"], scope["method"]
        if path == "/oauth2/token" and method == "POST":
            await self._token(body, send)
        elif path.startswith(_NFM_PATH + "/"):
            with self._changed:
                status, answer = self._management(method, path[len(_NFM_PATH) + 1 :], body)
                self._changed.notify_all()
            await _reply(send, status, answer)
        elif path == _DISC_PATH and method == "GET":
            await self._discovery(scope.get("query_string", b""), send)
        else:
            await _reply(send, 404, {"error": "invalid_request"})

    async def _token(self, body: bytes, send: Any) -> None:
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.forms.append(form)
        if self.refuse_with or "nfInstanceId" not in form:
            await _reply(send, 400, {"error": self.refuse_with or "invalid_request"})
            return
        requested = form.get("scope", API_SCOPE)
        token = self.issue(
            form["nfInstanceId"], requested, audience=form.get("targetNfType", "PCF")
        )
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": requested,
        }
        await _reply(send, 200, answer)

    def _management(
        self, method: str, nf_instance_id: str, body: bytes
    ) -> tuple[int, dict[str, Any] | None]:
        self.events.append((method, nf_instance_id))
        known = nf_instance_id in self.profiles
        if method == "PUT":
            try:
                profile = json.loads(body)
            except ValueError:
                return 400, {"status": 400, "cause": "INVALID_MSG_FORMAT"}
            if not isinstance(profile, dict) or profile.get("nfInstanceId") != nf_instance_id:
                return 400, {"status": 400, "cause": "MANDATORY_IE_INCORRECT"}
            profile["heartBeatTimer"] = self.heartbeat_timer
            self.profiles[nf_instance_id] = profile
            return (200 if known else 201), profile
        if not known:
            return 404, {"status": 404, "cause": "RESOURCE_NOT_FOUND"}
        if method == "PATCH":
            return 204, None
        if method == "DELETE":
            del self.profiles[nf_instance_id]
            return 204, None
        return 405, {"status": 405}

    async def _discovery(self, query_string: bytes, send: Any) -> None:
        from urllib.parse import parse_qs

        query = {k: v[0] for k, v in parse_qs(query_string.decode()).items()}
        self.discoveries.append(query)
        if "target-nf-type" not in query or "requester-nf-type" not in query:
            await _reply(send, 400, {"status": 400, "cause": "MANDATORY_QUERY_PARAM_MISSING"})
            return
        wanted = set(query["service-names"].split(",")) if "service-names" in query else None
        with self._changed:
            profiles = list(self.profiles.values())
        found = [
            p
            for p in profiles
            if p.get("nfType") == query["target-nf-type"]
            and (wanted is None or wanted & {s.get("serviceName") for s in p.get("nfServices", [])})
        ]
        await _reply(send, 200, {"validityPeriod": self.validity_period, "nfInstances": found})


_NFM_PATH = "/nnrf-nfm/v1/nf-instances"
_DISC_PATH = "/nnrf-disc/v1/nf-instances"


async def _reply(send: Any, status: int, document: dict[str, Any] | None) -> None:
    body = b"" if document is None else json.dumps(document).encode()
    media_type = None if document is None else "application/json"
    await respond(send, status, body, media_type, {"cache-control": "no-store"})


@contextmanager
def start_nrf_stub(issuer: str = "nrf-stub", lifetime: int = 3600) -> Iterator[NrfStub]:
    """Serve an ``NrfStub`` from this process (hypercorn, h2c) until the block ends."""
    require_extra("server", "the NRF stub (nrf_stub)", ("jwt", "cryptography", "hypercorn"))
    from nef_client._serving import background

    nrf = NrfStub(issuer, lifetime)
    with background(nrf) as url:
        nrf.url = url
        yield nrf
