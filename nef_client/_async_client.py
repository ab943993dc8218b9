"""The asynchronous client: the twin of ``_client.Client``, method for method."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx
from npcf_bdt_client.models import Snssai, TimeWindow, UsageThreshold

from nef_client import _core
from nef_client._core import Area, CreateArgs
from nef_client._models import PolicyRemoved, PolicyResult
from nef_client._retry import Action, Exchange


class AsyncClient(_core.BaseClient[httpx.AsyncClient]):
    """The asyncio twin of ``Client``: the same parameters, methods to ``await``.

    Use it from one event loop; close it with ``await aclose()`` or ``async with``.
    """

    def _pool(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(**options)

    async def create(
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
        await self._discover()
        response = await self._send(_core.create_request(self._http, args, self._base()))
        if response.status_code == 201:
            return self._remember(_core.created_result(response, self._generated))
        if response.status_code == 303:
            location = _core.created_location(response)
            policy_id = _core.policy_id_from(location)
            existing = await self._send(_core.get_request(self._http, policy_id, location))
            if existing.status_code == 200:
                return self._remember(_core.read_result(existing, self._generated, existing=True))
            response = existing
        _core.raise_for(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, policy_id: str) -> PolicyResult:
        """Read a policy (Get; TS 29.554 clause 4.2.3)."""
        await self._discover()
        response = await self._send(
            _core.get_request(self._http, policy_id, base=self._base(policy_id))
        )
        if response.status_code == 200:
            return _core.read_result(response, self._generated)
        _core.raise_for(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def select(self, policy_id: str, transfer_policy_id: int) -> PolicyResult | PolicyRemoved:
        """Select one of the offered transfer policies (Update; TS 29.554 clause 4.2.4).

        ``transfer_policy_id`` 0 tells the PCF that no candidate of a warning notification
        is acceptable (feature BdtNotification_5G): the PCF then removes the policy, and
        the answer is ``PolicyRemoved``. Any other selection answers the policy.
        """
        response = await self._update(policy_id, selected_id=transfer_policy_id)
        return self._selected(response, transfer_policy_id)

    async def switch_warnings(self, policy_id: str, enabled: bool) -> PolicyResult:
        """Switch warning notifications on or off for a policy (Update)."""
        response = await self._update(policy_id, warnings=enabled)
        return _core.changed_result(response, self._generated)

    async def _update(
        self, policy_id: str, *, selected_id: int | None = None, warnings: bool | None = None
    ) -> httpx.Response:
        """The PATCH's answer, or after a 204 (changed, no body) the answer to a read."""
        await self._discover()
        request = _core.patch_request(
            self._http,
            policy_id,
            selected_id=selected_id,
            warnings=warnings,
            base=self._base(policy_id),
        )
        response = await self._send(request)
        if response.status_code == 204:
            read = _core.get_request(self._http, policy_id, base=self._base(policy_id))
            return await self._send(read)
        return response

    async def _send(self, request: httpx.Request) -> httpx.Response:
        exchange = Exchange(
            request,
            self._retry,
            self._max_redirects,
            failover=self._failover(),
            explain=self._explain,
        )
        while True:
            try:
                response = await self._transmit(exchange.request)
            except httpx.TransportError as exc:
                step = exchange.on_transport_error(exc)
            else:
                step = exchange.on_response(response)
            if step.action is Action.DONE:
                return response
            await asyncio.sleep(step.delay)

    async def _transmit(self, request: httpx.Request, **options: Any) -> httpx.Response:
        """Send over h2c, or HTTP/1.1 for an origin without it (see ``http_version``)."""
        if not self._falls_back(request):
            return await self._http.send(request, **options)
        return await self._origins.send_async(
            request.url,
            lambda: self._http.send(request, **options),
            lambda: self._http1().send(request, **options),
        )

    async def _discover(self) -> None:
        """Ask the NRF for PCFs when the last answer has expired (with ``nrf`` only)."""
        discovery = self._discovery
        if discovery is None or not discovery.due():
            return
        try:
            response = await self._transmit(discovery.build_request(), auth=None)
        except httpx.TransportError as exc:
            discovery.failed(f"cannot reach the NRF: {type(exc).__name__}: {exc}")
            return
        discovery.accept(response)

    async def aclose(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        await self._http.aclose()
        if self._h1_pool is not None:
            await self._h1_pool.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
