"""The synchronous client."""

from __future__ import annotations

import time
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx
from npcf_bdt_client.models import Snssai, TimeWindow, UsageThreshold

from nef_client import _core
from nef_client._core import Area, CreateArgs
from nef_client._models import PolicyRemoved, PolicyResult
from nef_client._retry import Action, Exchange


class Client(_core.BaseClient[httpx.Client]):
    """A NEF's connection to one PCF's Npcf_BDTPolicyControl API.

    One client keeps one connection pool (HTTP/2 multiplexes calls over it), so create
    one per PCF and share it between threads; close it with ``close()`` or a ``with``.

    Args:
        base_url: the PCF's apiRoot (``http://pcf:8080``) or the API's base URL
            (``.../npcf-bdtpolicycontrol/v1``). ``http://`` speaks HTTP/2 with prior
            knowledge (h2c); ``https://`` negotiates HTTP/2 by ALPN (see ``http_version``).
        auth: OAuth 2.0 client credentials to get tokens from an NRF (or an
            ``NrfAuth`` made from them, or any ``httpx.Auth``); None sends no
            Authorization header (a PCF that does not require OAuth2).
        verify: check the PCF's certificate; False only for labs.
        ca_bundle: a PEM file of the CAs to trust instead of the default ones.
        client_cert: a PEM file holding certificate and key, or (certificate, key) files,
            for mutual TLS.
        ssl_context: a ready TLS context; replaces ``verify``, ``ca_bundle`` and
            ``client_cert``.
        timeout: seconds (or an ``httpx.Timeout``) for each HTTP exchange.
        retry: when to try a call again (429/503 and refused connections by default).
        max_redirects: how many 307/308 redirections one call follows.
        http_version: ``"auto"`` (default): ``http://`` speaks h2c, and HTTP/1.1 to a
            server that does not speak it (a mock, a proxy), remembered per server;
            ``"2"``: HTTP/2 only (h2c, or h2 by ALPN); ``"1.1"``: HTTP/1.1 only. A
            transport failure (``TransportError``) names its likely cause.

    """

    def _pool(self, **options: Any) -> httpx.Client:
        return httpx.Client(**options)

    def create(
        self,
        asp_id: str,
        *,
        volume_per_ue: int | UsageThreshold,
        number_of_ues: int,
        desired_window: tuple[datetime, datetime] | TimeWindow,
        area: Area | None = None,
        dnn: str | None = None,
        snssai: Snssai | tuple[int, str | None] | None = None,
        notification_uri: str | None = None,
        warnings: bool | None = None,
        internal_group_id: str | None = None,
        traffic_descriptor: str | None = None,
        supported_features: str | None = None,
    ) -> PolicyResult:
        """Ask the PCF for transfer policies (Create; TS 29.554 clause 4.2.2).

        Args:
            asp_id: the application service provider the transfer is for.
            volume_per_ue: bytes each UE transfers (sent as totalVolume), or a
                UsageThreshold to give downlink/uplink volumes separately.
            number_of_ues: how many UEs take part.
            desired_window: (start, stop), time-zone aware, when the ASP would like the
                transfer to happen.
            area: where the UEs are: a NetworkAreaInfo, or a list of Tai.
            dnn: the data network name.
            snssai: the slice, as a Snssai or (sst, sd or None).
            notification_uri: where the PCF sends warning notifications.
            warnings: request warning notifications (warnNotifReq); None sends nothing,
                which the PCF reads as false.
            internal_group_id: the internal group of the UEs (interGroupId).
            traffic_descriptor: the traffic the transfer applies to (trafficDes), a
                traffic descriptor component encoded as TS 24.526 encodes it.
            supported_features: the suppFeat hex string to negotiate; by default every
                feature this client implements (BdtNotification_5G only together with
                ``notification_uri``, which that feature makes mandatory).

        Returns the new policy, or with ``existing=True`` an equivalent one the PCF already
        had (303 See Other, read from its Location).

        """
        args = CreateArgs(
            asp_id=asp_id,
            volume_per_ue=volume_per_ue,
            number_of_ues=number_of_ues,
            desired_window=desired_window,
            area=area,
            dnn=dnn,
            snssai=snssai,
            notification_uri=notification_uri,
            warnings=warnings,
            internal_group_id=internal_group_id,
            traffic_descriptor=traffic_descriptor,
            supported_features=supported_features,
        )
        self._discover()
        response = self._send(_core.create_request(self._http, args, self._base()))
        if response.status_code == 201:
            return self._remember(_core.created_result(response, self._generated))
        if response.status_code == 303:
            location = _core.created_location(response)
            policy_id = _core.policy_id_from(location)
            existing = self._send(_core.get_request(self._http, policy_id, location))
            if existing.status_code == 200:
                return self._remember(_core.read_result(existing, self._generated, existing=True))
            response = existing
        _core.raise_for(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, policy_id: str) -> PolicyResult:
        """Read a policy (Get; TS 29.554 clause 4.2.3)."""
        self._discover()
        response = self._send(_core.get_request(self._http, policy_id, base=self._base(policy_id)))
        if response.status_code == 200:
            return _core.read_result(response, self._generated)
        _core.raise_for(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def select(self, policy_id: str, transfer_policy_id: int) -> PolicyResult | PolicyRemoved:
        """Select one of the offered transfer policies (Update; TS 29.554 clause 4.2.4).

        ``transfer_policy_id`` 0 tells the PCF that no candidate of a warning notification
        is acceptable (feature BdtNotification_5G): the PCF then removes the policy, and
        the answer is ``PolicyRemoved``. Any other selection answers the policy.
        """
        response = self._update(policy_id, selected_id=transfer_policy_id)
        return self._selected(response, transfer_policy_id)

    def switch_warnings(self, policy_id: str, enabled: bool) -> PolicyResult:
        """Switch warning notifications on or off for a policy (Update)."""
        response = self._update(policy_id, warnings=enabled)
        return _core.changed_result(response, self._generated)

    def _update(
        self, policy_id: str, *, selected_id: int | None = None, warnings: bool | None = None
    ) -> httpx.Response:
        """The PATCH's answer, or after a 204 (changed, no body) the answer to a read."""
        self._discover()
        request = _core.patch_request(
            self._http,
            policy_id,
            selected_id=selected_id,
            warnings=warnings,
            base=self._base(policy_id),
        )
        response = self._send(request)
        if response.status_code == 204:
            read = _core.get_request(self._http, policy_id, base=self._base(policy_id))
            return self._send(read)
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        exchange = Exchange(
            request,
            self._retry,
            self._max_redirects,
            failover=self._failover(),
            explain=self._explain,
        )
        while True:
            try:
                response = self._transmit(exchange.request)
            except httpx.TransportError as exc:
                step = exchange.on_transport_error(exc)
            else:
                step = exchange.on_response(response)
            if step.action is Action.DONE:
                return response
            time.sleep(step.delay)

    def _transmit(self, request: httpx.Request, **options: Any) -> httpx.Response:
        """Send over h2c, or HTTP/1.1 for an origin without it (see ``http_version``)."""
        if not self._falls_back(request):
            return self._http.send(request, **options)
        return self._origins.send(
            request.url,
            lambda: self._http.send(request, **options),
            lambda: self._http1().send(request, **options),
        )

    def _discover(self) -> None:
        """Ask the NRF for PCFs when the last answer has expired (with ``nrf`` only)."""
        discovery = self._discovery
        if discovery is None or not discovery.due():
            return
        try:
            response = self._transmit(discovery.build_request(), auth=None)
        except httpx.TransportError as exc:
            discovery.failed(f"cannot reach the NRF: {type(exc).__name__}: {exc}")
            return
        discovery.accept(response)

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        self._http.close()
        if self._h1_pool is not None:
            self._h1_pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
