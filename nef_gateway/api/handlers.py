"""Operation handlers of 3gpp-bdt: HTTP to domain values and service calls, and back.

connexion has validated bodies against the specification; the domain module checks what
a schema cannot and translates; the service does the work. Errors become ProblemDetails
in ``app.py``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from nef_gateway.domain import (
    GroupTranslator,
    Subscription,
    bdt_document,
    patch_change,
    put_change,
    transfer_request,
)
from nef_gateway.service import BdtSubscriptions
from nef_gateway.settings import BASE_PATH
from nf_common.application import api_root
from nf_common.destinations import DestinationCheck, undeliverable

_JSON = {"Content-Type": "application/json"}
Reply = tuple[Any, int, dict[str, str]] | Response


class SubscriptionHandlers:
    """One method per operationId of TS 29.122 ResourceManagementOfBdt, named after it."""

    def __init__(
        self,
        service: BdtSubscriptions,
        groups: GroupTranslator,
        api_root: str | None,
        destinations: DestinationCheck = undeliverable,
    ) -> None:
        self._destinations = destinations
        self._service = service
        self._groups = groups
        self._api_root = api_root.rstrip("/") if api_root else None

    def _link(self, subscription: Subscription) -> str:
        return (
            f"{api_root(self._api_root)}{BASE_PATH}/{subscription.scs_as_id}/subscriptions/"
            f"{subscription.subscription_id}"
        )

    def _document(self, subscription: Subscription) -> dict[str, Any]:
        return bdt_document(subscription, self._link(subscription))

    def fetch_all_active_bdt_subscriptions(self, scs_as_id: str) -> Reply:
        return [self._document(s) for s in self._service.list(scs_as_id)], 200, _JSON

    def create_bdt_subscription(self, scs_as_id: str, body: dict[str, Any]) -> Reply:
        self._service.authorize(scs_as_id)  # 403 before any look at the body
        subscription = self._service.create(
            scs_as_id, transfer_request(scs_as_id, body, self._groups, self._destinations)
        )
        link = self._link(subscription)
        return bdt_document(subscription, link), 201, {**_JSON, "Location": link}

    def fetch_ind_bdt_subscription(self, scs_as_id: str, subscription_id: str) -> Reply:
        return self._document(self._service.get(scs_as_id, subscription_id)), 200, _JSON

    def update_bdt_subscription(
        self, scs_as_id: str, subscription_id: str, body: dict[str, Any]
    ) -> Reply:
        change = put_change(
            self._service.stored(scs_as_id, subscription_id), body, self._destinations
        )
        return self._changed(self._service.change(scs_as_id, subscription_id, change))

    def modify_bdt_subscription(
        self, scs_as_id: str, subscription_id: str, body: dict[str, Any]
    ) -> Reply:
        self._service.stored(scs_as_id, subscription_id)  # 403/404 before the body's 400
        change = patch_change(body, self._destinations)
        return self._changed(self._service.change(scs_as_id, subscription_id, change))

    def _changed(self, subscription: Subscription | None) -> Reply:
        """200 with the new state; 204 when "none acceptable" ended the subscription."""
        if subscription is None:
            return Response(status_code=204)
        return self._document(subscription), 200, _JSON

    def delete_bdt_subscription(self, scs_as_id: str, subscription_id: str) -> Reply:
        self._service.delete(scs_as_id, subscription_id)
        return Response(status_code=204)
