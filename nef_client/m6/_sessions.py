"""The two ways an application asks for a background transfer (TS 26.512 10.3.1.1).

An application asks the Media Session Handler for a transfer either with a *desired
window range* (``request_window``) or with an *estimated volume and the duration* the
transfer needs (``request_volume``); either way it gets back the windows the network
offers, selects one (or the only one is final), and learns through the M6 events when
it opens or if it is cancelled.

``BackgroundTransfers`` plays that role over a ``Negotiator``, the hop to the network:
``PcfNegotiator`` speaks Npcf_BDTPolicyControl to a PCF through ``nef_client.Client`` (a
NEF, or a Media AF inside the operator's network); ``NefNegotiator`` speaks 3gpp-bdt
(TS 29.122) to a NEF through the generated ``nnef_bdt_client`` (an AF outside it).

The volume method searches: it first asks for the whole horizon and keeps the offered
windows that last at least the duration; when none does, it asks again for windows of
exactly the duration, sliding through the horizon by ``step``, up to ``max_probes``
times, and stops at the first that yields one. Negotiations it does not use are released
(``Negotiator.release``), so their offers do not hold the network's capacity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from nnef_bdt_client import Client as NefClient
from nnef_bdt_client.api.bdt_subscriptions_collection import create_bdt_subscription
from nnef_bdt_client.api.individual_bdt_subscription_document import (
    delete_bdt_subscription,
    modify_bdt_subscription,
)
from nnef_bdt_client.models import Bdt, BdtPatch, LocationArea5G
from nnef_bdt_client.models import ProblemDetails as NefProblemDetails
from nnef_bdt_client.models import TimeWindow as NefTimeWindow
from nnef_bdt_client.models import UsageThreshold as NefUsageThreshold
from nnef_bdt_client.types import UNSET as NEF_UNSET
from nnef_bdt_client.types import Unset as NefUnset
from npcf_bdt_client.models import NetworkAreaInfo, Tai, UsageThreshold
from npcf_bdt_client.types import UNSET, Unset

from nef_client._client import Client
from nef_client._models import PolicyRemoved, PolicyResult
from nef_client.exceptions import NefClientError
from nef_client.m6._emitter import BdtEventEmitter
from nef_client.m6._events import TransferWindow


@dataclass(frozen=True)
class Negotiation:
    """What the network answered to one ask: where it lives and what it offers."""

    handle: str
    """How to name it in later calls (the policy or subscription id)."""
    bdt_ref_id: str
    windows: tuple[TransferWindow, ...]
    selected: int | None = None


class Negotiator(Protocol):
    """The hop from the application's side to the network (PCF or NEF)."""

    def create(
        self, start: datetime, stop: datetime, volume: int, duration: timedelta | None
    ) -> Negotiation:
        """Ask for windows in [start, stop] to move ``volume`` bytes per UE."""
        ...

    def select(self, handle: str, window_id: int) -> Negotiation:
        """Select an offered window; raises when the network refuses."""
        ...

    def release(self, handle: str) -> None:
        """Give up a negotiation whose offers are not wanted (best effort)."""
        ...


class NoWindow(LookupError):
    """The network offers no window that fits the request."""


@dataclass(frozen=True)
class Offer:
    """The windows offered for a session, and the one selected if the choice is made."""

    session_id: str
    handle: str
    bdt_ref_id: str
    windows: tuple[TransferWindow, ...]
    selected: TransferWindow | None

    def window(self, window_id: int) -> TransferWindow:
        for window in self.windows:
            if window.window_id == window_id:
                return window
        raise KeyError(f"window {window_id} was not offered for {self.session_id}")


class BackgroundTransfers:
    """Ask for transfers on behalf of media delivery sessions, and report their events.

    Args:
        negotiator: the hop to the network.
        emitter: where the session's events go (a new one on the wall clock if None).

    """

    def __init__(self, negotiator: Negotiator, emitter: BdtEventEmitter | None = None) -> None:
        self._negotiator = negotiator
        self.emitter = emitter or BdtEventEmitter()
        self._offers: dict[str, Offer] = {}

    def request_window(
        self, session_id: str, start: datetime, stop: datetime, *, volume: int
    ) -> Offer:
        """Method 1: a desired window range (and the bytes to move per UE)."""
        if stop <= start:
            raise ValueError("the window must end after it starts")
        negotiation = self._negotiator.create(start, stop, volume, None)
        return self._offered(session_id, negotiation, negotiation.windows, volume)

    def request_volume(
        self,
        session_id: str,
        *,
        volume: int,
        duration: timedelta,
        horizon: timedelta = timedelta(hours=48),
        earliest: datetime | None = None,
        step: timedelta | None = None,
        max_probes: int = 8,
    ) -> Offer:
        """Method 2: an estimated volume and how long the transfer takes.

        Searches a window of at least ``duration`` within ``horizon`` from ``earliest``
        (default: now), as the module docstring says; raises ``NoWindow`` when none is
        found.
        """
        if duration <= timedelta(0) or horizon < duration:
            raise ValueError("the duration must be positive and fit in the horizon")
        start = earliest or self.emitter.clock.now()
        stop = start + horizon
        negotiation = self._negotiator.create(start, stop, volume, duration)
        fitting = _long_enough(negotiation.windows, duration)
        if fitting:
            return self._offered(session_id, negotiation, fitting, volume)
        self._negotiator.release(negotiation.handle)
        step = step or duration
        probe = start
        for _ in range(max_probes):
            if probe + duration > stop:
                break
            negotiation = self._negotiator.create(probe, probe + duration, volume, duration)
            fitting = _long_enough(negotiation.windows, duration)
            if fitting:
                return self._offered(session_id, negotiation, fitting, volume)
            self._negotiator.release(negotiation.handle)
            probe += step
        raise NoWindow(
            f"no window of {duration} for {volume} bytes between {start:%Y-%m-%dT%H:%MZ} "
            f"and {stop:%Y-%m-%dT%H:%MZ}"
        )

    def select(self, session_id: str, window_id: int) -> TransferWindow:
        """Select one of the session's offered windows.

        When the network refuses, an ``ERROR_BACKGROUND_DATA_TRANSFER`` (REFUSED) is
        emitted for that window and the negotiator's exception is raised.
        """
        offer = self._offers[session_id]
        window = offer.window(window_id)
        try:
            negotiation = self._negotiator.select(offer.handle, window_id)
        except Exception as exc:
            self.emitter.refused(session_id, window, f"the network refused it: {exc}")
            raise
        selected = next((w for w in negotiation.windows if w.window_id == window_id), window)
        self.emitter.select(session_id, selected)
        self._offers[session_id] = Offer(
            session_id, offer.handle, offer.bdt_ref_id, offer.windows, selected
        )
        return selected

    def offer_of(self, session_id: str) -> Offer:
        return self._offers[session_id]

    def _offered(
        self,
        session_id: str,
        negotiation: Negotiation,
        windows: Sequence[TransferWindow],
        volume: int,
    ) -> Offer:
        selected = None
        if negotiation.selected is not None:
            selected = next((w for w in windows if w.window_id == negotiation.selected), None)
        offer = Offer(
            session_id, negotiation.handle, negotiation.bdt_ref_id, tuple(windows), selected
        )
        self._offers[session_id] = offer
        self.emitter.offer(
            session_id, offer.windows, bdt_ref_id=negotiation.bdt_ref_id, volume_quota=volume
        )
        if selected is not None:
            self.emitter.select(session_id, selected)
        return offer


def _long_enough(
    windows: Sequence[TransferWindow], duration: timedelta
) -> tuple[TransferWindow, ...]:
    needed = duration.total_seconds()
    return tuple(w for w in windows if w.duration_seconds >= needed)


class PcfNegotiator:
    """Npcf_BDTPolicyControl through a ``nef_client.Client``.

    ``release`` declines the offers (``selTransPolicyId`` 0) when the policy was created
    with a notification URI, i.e. with BdtNotification_5G, the feature that gives 0 that
    meaning; otherwise the PCF frees offers that are never selected when their hold
    lapses, and ``release`` does nothing.
    """

    def __init__(
        self,
        client: Client,
        asp_id: str,
        *,
        number_of_ues: int = 1,
        area: NetworkAreaInfo | Sequence[Tai] | None = None,
        notification_uri: str | None = None,
        warnings: bool | None = None,
    ) -> None:
        self._client = client
        self._asp_id = asp_id
        self._ues = number_of_ues
        self._area = area
        self._notification_uri = notification_uri
        self._warnings = warnings

    def create(
        self, start: datetime, stop: datetime, volume: int, duration: timedelta | None
    ) -> Negotiation:
        seconds: int | Unset = UNSET if duration is None else int(duration.total_seconds())
        result = self._client.create(
            self._asp_id,
            volume_per_ue=UsageThreshold(total_volume=volume, duration=seconds),
            number_of_ues=self._ues,
            desired_window=(start, stop),
            area=self._area,
            notification_uri=self._notification_uri,
            warnings=self._warnings,
        )
        return _negotiation(result)

    def select(self, handle: str, window_id: int) -> Negotiation:
        result = self._client.select(handle, window_id)
        if isinstance(result, PolicyRemoved):  # 0, "none acceptable": nothing is selected
            raise NoWindow(f"the PCF removed the policy {handle}: no window was selected")
        return _negotiation(result)

    def release(self, handle: str) -> None:
        if self._notification_uri is None:
            return
        with contextlib.suppress(NefClientError):  # best effort: offers lapse on their own
            self._client.select(handle, 0)  # "none acceptable": the PCF removes it


def _negotiation(result: PolicyResult) -> Negotiation:
    return Negotiation(
        handle=result.policy_id,
        bdt_ref_id=result.bdt_ref_id,
        windows=tuple(TransferWindow.from_pcf(c) for c in result.candidates),
        selected=result.selected_id,
    )


class NegotiationRefused(Exception):
    """The NEF answered a 3gpp-bdt request with an error (its ProblemDetails parts)."""

    def __init__(self, status: int, cause: str | None, detail: str) -> None:
        super().__init__(f"{status} {cause or ''}: {detail}".replace("  ", " "))
        self.status = status
        self.cause = cause
        self.detail = detail


class NefNegotiator:
    """3gpp-bdt (TS 29.122 ResourceManagementOfBdt) to a NEF, as the AF ``scs_as_id``.

    ``release`` deletes the subscription. Warnings go to ``notification_destination``
    when ``warnings`` is true (feed them to the emitter with ``warning``).
    """

    def __init__(
        self,
        nef_url: str,
        scs_as_id: str,
        *,
        number_of_ues: int = 1,
        area: LocationArea5G | None = None,
        notification_destination: str | None = None,
        warnings: bool | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._client = NefClient(base_url=nef_url.rstrip("/"), timeout=httpx.Timeout(timeout))
        self._scs_as_id = scs_as_id
        self._ues = number_of_ues
        self._area = area
        self._destination = notification_destination
        self._warnings = warnings

    def create(
        self, start: datetime, stop: datetime, volume: int, duration: timedelta | None
    ) -> Negotiation:
        body = Bdt(
            volume_per_ue=NefUsageThreshold(
                total_volume=volume,
                duration=NEF_UNSET if duration is None else int(duration.total_seconds()),
            ),
            number_of_u_es=self._ues,
            desired_time_window=NefTimeWindow(start_time=start, stop_time=stop),
            location_area_5g=NEF_UNSET if self._area is None else self._area,
            notification_destination=(
                NEF_UNSET if self._destination is None else self._destination
            ),
            warn_notif_enabled=NEF_UNSET if self._warnings is None else self._warnings,
        )
        answer = create_bdt_subscription.sync_detailed(
            self._scs_as_id, client=self._client, body=body
        )
        location = answer.headers.get("location")
        if answer.status_code != 201 or not isinstance(answer.parsed, Bdt) or not location:
            raise _refusal(answer)
        return _nef_negotiation(location.rstrip("/").rsplit("/", 1)[-1], answer.parsed)

    def select(self, handle: str, window_id: int) -> Negotiation:
        answer = modify_bdt_subscription.sync_detailed(
            self._scs_as_id, handle, client=self._client, body=BdtPatch(selected_policy=window_id)
        )
        if answer.status_code != 200 or not isinstance(answer.parsed, Bdt):
            raise _refusal(answer)
        return _nef_negotiation(handle, answer.parsed)

    def release(self, handle: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            delete_bdt_subscription.sync_detailed(self._scs_as_id, handle, client=self._client)

    def close(self) -> None:
        self._client.get_httpx_client().close()


def _refusal(answer: object) -> NegotiationRefused:
    status = getattr(answer, "status_code", 0)
    parsed = getattr(answer, "parsed", None)
    if isinstance(parsed, NefProblemDetails):
        cause = parsed.cause if isinstance(parsed.cause, str) else None
        detail = parsed.detail if isinstance(parsed.detail, str) else ""
        return NegotiationRefused(int(status), cause, detail)
    return NegotiationRefused(int(status), None, "not a 3gpp-bdt answer")


def _nef_negotiation(handle: str, bdt: Bdt) -> Negotiation:
    policies = [] if isinstance(bdt.transfer_policies, NefUnset) else bdt.transfer_policies
    selected = bdt.selected_policy
    return Negotiation(
        handle=handle,
        bdt_ref_id="" if isinstance(bdt.reference_id, NefUnset) else bdt.reference_id,
        windows=tuple(TransferWindow.from_nef(p) for p in policies),
        selected=None if isinstance(selected, NefUnset) else selected,
    )
