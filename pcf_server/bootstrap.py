"""The composition root: the PCF's parts built from its settings and wired together.

Everything that picks an implementation is here (the SQLite store, the load-aware
engine, the HTTP sender of notifications, the token checks, the known NWDAF
subscriptions) and nowhere else; the use cases and the HTTP layer receive what they
need. ``app_from_environment`` (the SBI listener) and ``admin_app_from_environment`` are
the factories the server processes import (``pcf-bdt serve`` passes the settings in the
environment).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import connexion

from pcf_server.api.access import TokenPolicy
from pcf_server.api.app import create_admin_app, create_sbi_app
from pcf_server.api.stub import StubState
from pcf_server.config import load_network
from pcf_server.listeners import serve_in_this_loop
from pcf_server.notify import NotificationSender
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.service import BdtPolicyControl
from pcf_server.service.network_events import ConfiguredSubscriptions, NetworkEvents
from pcf_server.service.ports import AnalyticsSubscriptions
from pcf_server.settings import Settings
from pcf_server.storage import SqliteStore


@dataclass(frozen=True)
class Pcf:
    """The parts of one PCF server process."""

    store: SqliteStore
    sender: NotificationSender
    policies: BdtPolicyControl
    events: NetworkEvents


def token_policy(settings: Settings) -> TokenPolicy | None:
    """The checks of access tokens; None when the PCF asks for none.

    Raises ``access.UnusableKey`` for a key file that cannot be used.
    """
    if not settings.oauth2_keys:
        return None
    return TokenPolicy.from_files(
        settings.oauth2_keys, settings.oauth2_issuer, settings.oauth2_audience
    )


def known_subscriptions(settings: Settings) -> AnalyticsSubscriptions | None:
    """Whose NWDAF notifications count: the configured subscriptions.

    With access tokens, only those (none configured: none taken). Without tokens and
    with none configured, any (None), as a lab without an NWDAF of its own needs.
    """
    if settings.tokens_required or settings.nwdaf_subscriptions:
        return ConfiguredSubscriptions(settings.nwdaf_subscriptions)
    return None


def prepare(settings: Settings) -> None:
    """Check the configuration and keys and migrate the database, before servers start.

    Raises ``ConfigError`` for a bad configuration file, ``UnusableKey`` for a bad key.
    """
    load_network(settings.config_path)
    token_policy(settings)
    SqliteStore(settings.db_path)


def build(settings: Settings) -> Pcf:
    store = SqliteStore(settings.db_path)
    engine = LoadAwareDecider(load_network(settings.config_path))
    sender = NotificationSender(store.unit_of_work)
    events = NetworkEvents(
        store.unit_of_work,
        engine,
        engine,
        outbox_written=sender.wake,
        subscriptions=known_subscriptions(settings),
    )
    return Pcf(
        store=store,
        sender=sender,
        policies=BdtPolicyControl(store.unit_of_work, engine, planner=engine),
        events=events,
    )


def create_app(settings: Settings | None = None) -> connexion.AsyncApp:
    """The SBI application of a PCF built from ``settings``.

    With ``settings.stub``, the operator listener (with the stub's API) is served from
    this process too, by a task of the application's lifespan: the stub's faults and
    journal are this process's memory, which both listeners need.
    """
    settings = settings or Settings()
    pcf = build(settings)
    background = [pcf.sender.run]
    stub = None
    if settings.stub:
        stub = StubState()
        admin = create_admin_app(pcf.events, settings, stub=stub, reset_store=pcf.store.reset)
        background.append(
            partial(serve_in_this_loop, admin, settings.admin_host, settings.admin_port)
        )
    return create_sbi_app(
        pcf.policies,
        pcf.events,
        settings,
        tokens=token_policy(settings),
        background=background,
        stub=stub,
    )


def create_admin(settings: Settings | None = None) -> connexion.AsyncApp:
    """The operator application of a PCF built from ``settings``, for its own process."""
    settings = settings or Settings()
    pcf = build(settings)
    return create_admin_app(pcf.events, settings, background=[pcf.sender.run])


def app_from_environment() -> connexion.AsyncApp:
    """Factory for SBI server workers: settings come from PCF_BDT_* variables."""
    return create_app(Settings.from_environment())


def admin_app_from_environment() -> connexion.AsyncApp:
    """Factory for the operator listener's process."""
    return create_admin(Settings.from_environment())
