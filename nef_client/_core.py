"""What the sync and async clients share: construction, request building, answer parsing.

Requests are built by the generated operation modules (their path templates, media types
and serialisers) and answers parsed by their parsers; the clients own only the sending,
because the generated ``sync_detailed`` hides what this layer needs (the redirect chain,
the request to retry, the Location of a 303, which it parses to ``None``).
"""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import httpx
from npcf_bdt_client import Client as GeneratedClient
from npcf_bdt_client.api.bdt_policies_collection import create_bdt_policy
from npcf_bdt_client.api.individual_bdt_policy_document import get_bdt_policy, update_bdt_policy
from npcf_bdt_client.models import (
    BdtPolicy,
    BdtPolicyDataPatch,
    BdtReqData,
    BdtReqDataPatch,
    NetworkAreaInfo,
    PatchBdtPolicy,
    Snssai,
    Tai,
    TimeWindow,
    UsageThreshold,
)
from npcf_bdt_client.types import UNSET, Unset

from nef_client._auth import NrfAuth, NrfClientCredentials
from nef_client._discovery import Discovery, Failover
from nef_client._models import PolicyRemoved, PolicyResult
from nef_client._retry import RetryPolicy
from nef_client.exceptions import UnexpectedResponse, error_from_response
from nf_common.http_version import NOT_H2C, H2cOrigins, HttpVersion
from nf_common.http_version import http_version as http_version_choice
from nf_common.retry_after import parse_retry_after

API_PATH = "/npcf-bdtpolicycontrol/v1"
StrPath = str | os.PathLike[str]
CertSpec = StrPath | tuple[StrPath, StrPath]
Area = NetworkAreaInfo | Sequence[Tai]


def api_base_url(url: str) -> str:
    """Accept an apiRoot or the API's full base URL; return the full base URL."""
    url = url.rstrip("/")
    return url if url.endswith(API_PATH) else url + API_PATH


def transport_failure(exc: httpx.TransportError, url: httpx.URL, version: HttpVersion) -> str:
    """What went wrong, and its likely cause, for a request that got no HTTP answer."""
    where = f"{url.scheme}://{url.netloc.decode()}"
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        cause = f"no connection to {where} within the timeout (is the address right?)"
    elif isinstance(exc, httpx.ConnectError):
        if "ssl" in str(exc).lower() or "certificate" in str(exc).lower():
            cause = f"the TLS handshake with {where} failed (check ca_bundle / verify)"
        else:
            cause = f"nothing accepts connections at {where} (is the PCF running there?)"
    elif isinstance(exc, httpx.TimeoutException):
        cause = f"{where} did not answer within the timeout"
    elif isinstance(exc, NOT_H2C) and url.scheme == "http" and version == "2":
        cause = (
            f"{where} closed the connection or broke the protocol: it may not speak "
            "HTTP/2 without TLS (h2c); try http_version='1.1' (--http-version 1.1)"
        )
    elif isinstance(exc, NOT_H2C) and url.scheme == "http" and version == "auto":
        cause = (
            f"{where} closed the connection or broke the protocol over both HTTP/2 "
            "(h2c) and HTTP/1.1: it may not be an HTTP server, or it failed mid-answer"
        )
    elif isinstance(exc, NOT_H2C) and version == "1.1":
        cause = (
            f"{where} closed the connection or broke the protocol: it may speak only "
            "HTTP/2; try http_version='2' (--http-version 2)"
        )
    elif isinstance(exc, NOT_H2C):
        cause = f"{where} closed the connection or broke the protocol"
    else:
        return what
    return f"{what}: {cause}"


def ssl_context(
    verify: bool, ca_bundle: StrPath | None, client_cert: CertSpec | None
) -> ssl.SSLContext:
    if ca_bundle is not None:
        context = ssl.create_default_context(cafile=os.fspath(ca_bundle))
    else:
        context = httpx.create_ssl_context()  # certifi's roots, as httpx does by default
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client_cert is not None:
        if isinstance(client_cert, tuple):
            context.load_cert_chain(os.fspath(client_cert[0]), os.fspath(client_cert[1]))
        else:
            context.load_cert_chain(os.fspath(client_cert))
    return context


def httpx_options(
    base_url: str,
    *,
    verify: bool,
    ca_bundle: StrPath | None,
    client_cert: CertSpec | None,
    context: ssl.SSLContext | None,
    timeout: float | httpx.Timeout,
    auth: httpx.Auth | None,
    version: HttpVersion = "auto",
) -> dict[str, Any]:
    """Keyword arguments of the httpx client (connection pool) a client sends with first.

    The SBI is HTTP/2 (TS 29.500 clause 5.2): without TLS there is nothing to negotiate
    with, so h2c with prior knowledge; with TLS, ALPN offers h2 first (and h2 only when
    HTTP/2 is forced). With ``"1.1"``, HTTP/1.1 only.
    """
    scheme = httpx.URL(base_url).scheme
    if scheme not in ("http", "https"):
        raise ValueError(f"base_url must be http:// or https://, not {base_url!r}")
    return {
        "base_url": base_url,
        "http1": version == "1.1" or (version == "auto" and scheme == "https"),
        "http2": version != "1.1",
        "verify": context or ssl_context(verify, ca_bundle, client_cert),
        "timeout": timeout,
        "follow_redirects": False,  # 303/307/308 are handled by the client itself
        "auth": auth,
    }


def generated_client(http: httpx.Client | httpx.AsyncClient) -> GeneratedClient:
    """A generated client sharing ``http``'s pool, for the generated parsers and users."""
    client = GeneratedClient(base_url=str(http.base_url))
    if isinstance(http, httpx.Client):
        client.set_httpx_client(http)
    else:
        client.set_async_httpx_client(http)
    return client


Http = TypeVar("Http", httpx.Client, httpx.AsyncClient)


class BaseClient(Generic[Http]):
    """The construction and state ``Client`` and ``AsyncClient`` share (documented there)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        nrf: str | NrfClientCredentials | None = None,
        auth: NrfClientCredentials | httpx.Auth | None = None,
        verify: bool = True,
        ca_bundle: StrPath | None = None,
        client_cert: CertSpec | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        max_redirects: int = 5,
        http_version: str = "auto",
    ) -> None:
        if (base_url is None) == (nrf is None):
            raise ValueError("give the PCF's base_url, or an nrf to discover PCFs with")
        self._version = http_version_choice(http_version)
        self._discovery: Discovery | None = None
        if nrf is not None:
            credentials = nrf if isinstance(nrf, NrfClientCredentials) else None
            nrf_url = credentials.nrf_url if credentials else str(nrf)
            self._discovery = Discovery(
                nrf_url,
                requester_nf_instance_id=credentials.nf_instance_id if credentials else None,
                requester_nf_type=credentials.nf_type if credentials else "NEF",
            )
            auth = auth or credentials  # the NRF that finds the PCFs issues the tokens
        self._fixed_url = None if base_url is None else api_base_url(base_url)
        options = httpx_options(
            self._fixed_url or self._discovery.nrf_url,  # type: ignore[union-attr]
            verify=verify,
            ca_bundle=ca_bundle,
            client_cert=client_cert,
            context=ssl_context,
            timeout=timeout,
            auth=NrfAuth(auth) if isinstance(auth, NrfClientCredentials) else auth,
            version=self._version,
        )
        if self._fixed_url is None:
            options["base_url"] = ""  # each request names the PCF it goes to
        self._http: Http = self._pool(**options)
        # With "auto", http:// origins that do not speak h2c get HTTP/1.1 on a second
        # pool, opened the first time one is met.
        self._h1_options = {**options, "http1": True, "http2": False}
        self._h1_pool: Http | None = None
        self._origins = H2cOrigins()
        self._generated = generated_client(self._http)
        self._retry = retry or RetryPolicy()
        self._max_redirects = max_redirects
        # Where each policy this client saw lives (its Location), with discovered PCFs.
        self._homes: dict[str, str] = {}

    def _pool(self, **options: Any) -> Http:
        """The httpx client (one connection pool) of this kind of client."""
        raise NotImplementedError

    @property
    def http_version(self) -> HttpVersion:
        """The HTTP version choice this client was made with (``auto``, ``2``, ``1.1``)."""
        return self._version

    def _http1(self) -> Http:
        """The HTTP/1.1 pool for origins that do not speak h2c (``auto`` only)."""
        if self._h1_pool is None:
            self._h1_pool = self._pool(**self._h1_options)
        return self._h1_pool

    def _falls_back(self, request: httpx.Request) -> bool:
        """Whether ``request`` is tried over h2c with HTTP/1.1 as the fallback."""
        return self._version == "auto" and request.url.scheme == "http"

    def _explain(self, exc: httpx.TransportError, request: httpx.Request) -> str:
        return transport_failure(exc, request.url, self._version)

    @property
    def base_url(self) -> str | None:
        """The API's base URL: the one given, or that of the discovered PCF tried first.

        None with ``nrf`` before the first call (nothing discovered yet).
        """
        if self._fixed_url is not None:
            return self._fixed_url
        assert self._discovery is not None
        instances = self._discovery.instances
        return instances[0].base_url if instances else None

    @property
    def generated(self) -> GeneratedClient:
        """The generated client on this client's pool and authentication, for other calls.

        With ``AsyncClient``, use the generated ``asyncio`` functions. Only with a fixed
        ``base_url``: with ``nrf``, calls go to whichever PCF discovery gives.
        """
        if self._fixed_url is None:
            raise RuntimeError("with nrf=, use the client's methods: the PCF is discovered")
        return self._generated

    # -- discovered PCFs (sans-I/O parts; the twins send the discovery request) ----------

    def _base(self, policy_id: str | None = None) -> str | None:
        """The base URL a call goes to with discovered PCFs; None with a fixed one.

        A policy's calls go to the PCF that created it, when this client saw that.
        """
        if self._discovery is None:
            return None
        if policy_id is not None and policy_id in self._homes:
            return self._homes[policy_id]
        return self._discovery.current()

    def _remember(self, result: PolicyResult) -> PolicyResult:
        if self._discovery is not None:
            home = self._discovery.owner(result.location)
            if home is not None:
                if len(self._homes) >= _MAX_HOMES:
                    self._homes.pop(next(iter(self._homes)))
                self._homes[result.policy_id] = home
        return result

    def _failover(self) -> Failover | None:
        return None if self._discovery is None else Failover(self._discovery)

    def _selected(
        self, response: httpx.Response, transfer_policy_id: int
    ) -> PolicyResult | PolicyRemoved:
        """The answer to a selection: the policy, or its removal ("none acceptable")."""
        gone = removed(response, transfer_policy_id)
        if gone is None:
            return changed_result(response, self._generated)
        self._homes.pop(gone.policy_id, None)
        return gone


# Policies whose PCF the client remembers; the oldest is forgotten first.
_MAX_HOMES = 10_000


def _window(window: tuple[datetime, datetime] | TimeWindow) -> TimeWindow:
    if isinstance(window, TimeWindow):
        return window
    start, stop = window
    for value in (start, stop):
        if value.tzinfo is None:
            raise ValueError("window times need a time zone (RFC 3339 date-time)")
    if stop <= start:
        raise ValueError("the window's stop must be after its start")
    return TimeWindow(start_time=start, stop_time=stop)


def _set(value: Any) -> Any:
    return UNSET if value is None else value


@dataclass(frozen=True)
class CreateArgs:
    """The parameters of ``create``, shared by the twins and documented there."""

    asp_id: str
    volume_per_ue: int | UsageThreshold
    number_of_ues: int
    desired_window: tuple[datetime, datetime] | TimeWindow
    area: Area | None = None
    dnn: str | None = None
    snssai: Snssai | tuple[int, str | None] | None = None
    notification_uri: str | None = None
    warnings: bool | None = None
    internal_group_id: str | None = None
    traffic_descriptor: str | None = None
    supported_features: str | None = None

    def body(self) -> BdtReqData:
        volume = self.volume_per_ue
        if not isinstance(volume, UsageThreshold):
            if volume < 0:
                raise ValueError("volume_per_ue must be >= 0 bytes")
            volume = UsageThreshold(total_volume=volume)
        if self.number_of_ues < 1:
            raise ValueError("number_of_ues must be >= 1")
        area: NetworkAreaInfo | Unset = UNSET
        if isinstance(self.area, NetworkAreaInfo):
            area = self.area
        elif self.area is not None:
            area = NetworkAreaInfo(tais=list(self.area))
        snssai: Snssai | Unset = UNSET
        if isinstance(self.snssai, Snssai):
            snssai = self.snssai
        elif self.snssai is not None:
            sst, sd = self.snssai
            snssai = Snssai(sst=sst, sd=_set(sd))
        return BdtReqData(
            asp_id=self.asp_id,
            des_time_int=_window(self.desired_window),
            num_of_ues=self.number_of_ues,
            vol_per_ue=volume,
            dnn=_set(self.dnn),
            inter_group_id=_set(self.internal_group_id),
            notif_uri=_set(self.notification_uri),
            nw_area_info=area,
            snssai=snssai,
            supp_feat=self.supported_features or default_features(self.notification_uri),
            traffic_des=_set(self.traffic_descriptor),
            # The generated model defaults this to False; send it only when asked to.
            warn_notif_req=_set(self.warnings),
        )


# TS 29.554 table 5.8-1 features this client implements: 1 BdtNotification_5G (it can
# take warning notifications), 2 PatchCorrection (it sends PatchBdtPolicy), 3 ES3XX (it
# follows 307/308). Feature 1 makes notifUri mandatory, so it is offered only with one.
_FEATURES_WITH_NOTIFICATIONS = "7"
_FEATURES_WITHOUT_NOTIFICATIONS = "6"


def default_features(notification_uri: str | None) -> str:
    """The suppFeat sent when the caller does not choose one."""
    if notification_uri is None:
        return _FEATURES_WITHOUT_NOTIFICATIONS
    return _FEATURES_WITH_NOTIFICATIONS


def _build(
    http: httpx.Client | httpx.AsyncClient, kwargs: dict[str, Any], base: str | None
) -> httpx.Request:
    """The request; ``base``: the API's base URL of a discovered PCF (absolute URLs)."""
    if base is not None:
        kwargs["url"] = base + kwargs["url"]
    return http.build_request(**kwargs)


def create_request(
    http: httpx.Client | httpx.AsyncClient, args: CreateArgs, base: str | None = None
) -> httpx.Request:
    return _build(http, create_bdt_policy.request_kwargs(body=args.body()), base)


def get_request(
    http: httpx.Client | httpx.AsyncClient,
    policy_id: str,
    url: str | None = None,
    base: str | None = None,
) -> httpx.Request:
    kwargs = get_bdt_policy.request_kwargs(policy_id)
    if url is not None:
        kwargs["url"] = url  # an absolute Location, possibly on another PCF
        return http.build_request(**kwargs)
    return _build(http, kwargs, base)


def patch_request(
    http: httpx.Client | httpx.AsyncClient,
    policy_id: str,
    *,
    selected_id: int | None = None,
    warnings: bool | None = None,
    base: str | None = None,
) -> httpx.Request:
    """A merge patch carrying only what the caller set (RFC 7396: absent = unchanged)."""
    body = PatchBdtPolicy(
        bdt_pol_data=UNSET
        if selected_id is None
        else BdtPolicyDataPatch(sel_trans_policy_id=selected_id),
        bdt_req_data=UNSET if warnings is None else BdtReqDataPatch(warn_notif_req=warnings),
    )
    return _build(http, update_bdt_policy.request_kwargs(policy_id, body=body), base)


def policy_id_from(location: str) -> str:
    return httpx.URL(location).path.rstrip("/").rsplit("/", 1)[-1]


def raise_for(response: httpx.Response) -> None:
    retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
    raise error_from_response(response, retry_after)


class Operation(Protocol):
    """A generated operation module, as far as answer parsing goes."""

    def parse_response(self, *, client: GeneratedClient, response: httpx.Response) -> object: ...


def _policy(response: httpx.Response, parser: Operation, client: GeneratedClient) -> BdtPolicy:
    try:
        parsed = parser.parse_response(client=client, response=response)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnexpectedResponse(
            f"{response.status_code} body is not a BdtPolicy: {exc}",
            response.status_code,
            response.content,
        ) from exc
    if not isinstance(parsed, BdtPolicy) or isinstance(parsed.bdt_pol_data, Unset):
        raise UnexpectedResponse(
            f"{response.status_code} without a BdtPolicy body",
            response.status_code,
            response.content,
        )
    return parsed


def result(
    policy: BdtPolicy, location: str, existing: bool = False, policy_id: str | None = None
) -> PolicyResult:
    data = policy.bdt_pol_data
    assert not isinstance(data, Unset)  # checked by _policy
    selected = data.sel_trans_policy_id
    return PolicyResult(
        policy_id=policy_id or policy_id_from(location),
        location=location,
        bdt_ref_id=data.bdt_ref_id,
        candidates=tuple(data.transf_policies),
        selected_id=None if isinstance(selected, Unset) else selected,
        existing=existing,
        policy=policy,
    )


def created_location(response: httpx.Response) -> str:
    """The Location of a 201 or 303 answer to a create, which TS 29.554 makes mandatory."""
    location = response.headers.get("location")
    if not location:
        raise UnexpectedResponse(
            f"{response.status_code} to a create without a Location header",
            response.status_code,
            response.content,
        )
    return str(response.request.url.join(location))


def created_result(response: httpx.Response, client: GeneratedClient) -> PolicyResult:
    return result(_policy(response, create_bdt_policy, client), created_location(response))


def read_result(
    response: httpx.Response, client: GeneratedClient, existing: bool = False
) -> PolicyResult:
    location = str(response.request.url)
    return result(_policy(response, get_bdt_policy, client), location, existing)


def changed_result(response: httpx.Response, client: GeneratedClient) -> PolicyResult:
    """The policy after an Update: the PATCH's 200, or the GET that followed its 204."""
    if response.status_code != 200:
        raise_for(response)
    parser = get_bdt_policy if response.request.method == "GET" else update_bdt_policy
    return result(_policy(response, parser, client), str(response.request.url))


# TS 29.554 with BdtNotification_5G: selecting transfer policy 0 says "none acceptable",
# and the PCF removes the policy (204).
NONE_ACCEPTABLE = 0


def removed(response: httpx.Response, selected_id: int | None) -> PolicyRemoved | None:
    """The removal of a "none acceptable" selection: the read after its 204 found nothing."""
    request = response.request
    if selected_id != NONE_ACCEPTABLE or request.method != "GET" or response.status_code != 404:
        return None
    location = str(request.url)
    return PolicyRemoved(policy_id_from(location), location)
