"""The composition root: the gateway assembled from its settings, and nothing else.

Entry points (``nef-bdt gateway``, the pytest fixture, server workers) build the
application here, so that which store, which PCF client and which translator are used is
decided in one place.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from nef_gateway.api.app import GatewayApp, create_app
from nef_gateway.domain import ConfiguredGroups
from nef_gateway.notify import AF_DELIVERY
from nef_gateway.pcf import NefClientPolicyControl
from nef_gateway.service import BdtSubscriptions
from nef_gateway.settings import CALLBACK_PATH, Settings
from nef_gateway.storage import SqliteStore
from nf_common.delivery import NotificationSender
from nf_common.destinations import Destinations
from nf_common.workers import die_with_parent


def destinations(settings: Settings) -> Destinations:
    """Where notificationDestination may point: the default and what the operator allows.

    Never the gateway itself: its port here, and the callback root's port (the PCF's
    notifications come in there).
    """
    own = [urlsplit(settings.callback_root).port or 80]
    if settings.listen_port is not None:
        own.append(settings.listen_port)
    return Destinations(allow=settings.allowed_destinations).with_own_ports(*own)


def build(settings: Settings) -> GatewayApp:
    store = SqliteStore(settings.db_path)
    sender = NotificationSender(
        store.unit_of_work, AF_DELIVERY, destinations=destinations(settings)
    )
    pcf = NefClientPolicyControl(settings.pcf_client.client(settings.pcf_url))
    callback_root = settings.callback_root.rstrip("/")
    service = BdtSubscriptions(
        store.unit_of_work,
        pcf,
        lambda subscription_id: f"{callback_root}{CALLBACK_PATH}/{subscription_id}",
        allowed_afs=settings.allowed_afs,
        outbox_written=sender.wake,
    )
    groups = ConfiguredGroups(dict(settings.groups))
    return create_app(
        service, groups, sender, api_root=settings.api_root, max_body_bytes=settings.max_body_bytes
    )


def app_from_environment() -> GatewayApp:
    """Factory for server workers: settings come from NEF_GATEWAY_* variables."""
    die_with_parent()
    return build(Settings.from_environment())
