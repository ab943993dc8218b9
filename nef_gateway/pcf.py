"""The gateway's hop to the PCF: Npcf_BDTPolicyControl through ``nef_client`` (its public API).

The service sees the PCF through the ``PolicyControl`` protocol, in the JSON terms of the
domain module; ``NefClientPolicyControl`` implements it with ``nef_client.Client`` and
turns its exceptions into ``PcfRefused`` (the PCF answered an error) and
``PcfUnavailable`` (no usable answer).
"""

from __future__ import annotations

import contextlib
from typing import Protocol

from npcf_bdt_client.models import NetworkAreaInfo, TimeWindow, UsageThreshold
from npcf_bdt_client.types import Unset

from nef_client import (
    Client,
    NefClientError,
    NotFound,
    PolicyRemoved,
    PolicyResult,
    ProblemDetailsError,
)
from nef_gateway.domain import PolicyState, TransferRequest


class PcfRefused(Exception):
    """The PCF answered an error status; its ProblemDetails parts are kept."""

    def __init__(
        self,
        status: int,
        cause: str | None,
        detail: str,
        invalid_params: list[dict[str, str]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status} {cause or ''}: {detail}")
        self.status = status
        self.cause = cause
        self.detail = detail
        self.invalid_params = invalid_params or []
        self.retry_after = retry_after


class PcfUnavailable(Exception):
    """The PCF gave no usable answer (unreachable, timeout, or an answer out of spec)."""


class PolicyGone(Exception):
    """The PCF no longer has the policy (404)."""


class PolicyControl(Protocol):
    """Npcf_BDTPolicyControl as the gateway's service needs it."""

    def create(self, request: TransferRequest, notification_uri: str) -> PolicyState: ...

    def get(self, policy_id: str) -> PolicyState: ...

    def select(self, policy_id: str, transfer_policy_id: int) -> PolicyState | None:
        """None when the selection removed the policy ("none acceptable")."""
        ...

    def switch_warnings(self, policy_id: str, enabled: bool) -> PolicyState: ...


def state_of(result: PolicyResult) -> PolicyState:
    data = result.policy.bdt_pol_data
    features = None if isinstance(data, Unset) else data.supp_feat
    return PolicyState(
        policy_id=result.policy_id,
        bdt_ref_id=result.bdt_ref_id,
        candidates=tuple(candidate.to_dict() for candidate in result.candidates),
        selected=result.selected_id,
        features=None if isinstance(features, Unset) else features,
    )


def _refused(error: NefClientError) -> Exception:
    if isinstance(error, NotFound):
        return PolicyGone(str(error))
    if isinstance(error, ProblemDetailsError):
        params = [
            {k: v for k, v in (("param", p.param), ("reason", p.reason)) if isinstance(v, str)}
            for p in error.invalid_params
        ]
        detail = error.problem.detail
        return PcfRefused(
            error.status,
            error.cause,
            detail if isinstance(detail, str) else str(error),
            params,
            error.retry_after,
        )
    return PcfUnavailable(f"{type(error).__name__}: {error}")


class NefClientPolicyControl:
    """``PolicyControl`` over a ``nef_client.Client`` (thread-safe, one connection pool)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, request: TransferRequest, notification_uri: str) -> PolicyState:
        area = None
        if request.nw_area_info is not None:
            area = NetworkAreaInfo.from_dict(request.nw_area_info)
        try:
            result = self._client.create(
                request.asp_id,
                volume_per_ue=UsageThreshold.from_dict(request.volume_per_ue),
                number_of_ues=request.number_of_ues,
                desired_window=TimeWindow.from_dict(request.desired_window),
                area=area,
                notification_uri=notification_uri,
                warnings=request.warnings,
                internal_group_id=request.internal_group_id,
                traffic_descriptor=request.traffic_des,
            )
        except NefClientError as exc:
            raise _refused(exc) from exc
        return state_of(result)

    def get(self, policy_id: str) -> PolicyState:
        try:
            return state_of(self._client.get(policy_id))
        except NefClientError as exc:
            raise _refused(exc) from exc

    def select(self, policy_id: str, transfer_policy_id: int) -> PolicyState | None:
        try:
            result = self._client.select(policy_id, transfer_policy_id)
        except NefClientError as exc:
            raise _refused(exc) from exc
        return None if isinstance(result, PolicyRemoved) else state_of(result)

    def switch_warnings(self, policy_id: str, enabled: bool) -> PolicyState:
        try:
            return state_of(self._client.switch_warnings(policy_id, enabled))
        except NefClientError as exc:
            raise _refused(exc) from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
