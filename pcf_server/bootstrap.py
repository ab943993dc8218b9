"""The composition root: the PCF's parts built from its settings and wired together.

Everything that picks an implementation is here (the SQLite store, the load-aware
engine, the HTTP sender of notifications) and nowhere else; the use cases and the HTTP
layer receive what they need. ``app_from_environment`` is the factory each server worker
process imports (``pcf-bdt serve`` passes the settings in the environment).
"""

from __future__ import annotations

from dataclasses import dataclass

import connexion

from pcf_server.api.app import create_app as create_connexion_app
from pcf_server.config import load_network
from pcf_server.notify import NotificationSender
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.service import BdtPolicyControl
from pcf_server.service.network_events import NetworkEvents
from pcf_server.settings import Settings
from pcf_server.storage import SqliteStore


@dataclass(frozen=True)
class Pcf:
    """The parts of one PCF worker."""

    store: SqliteStore
    sender: NotificationSender
    policies: BdtPolicyControl
    events: NetworkEvents


def prepare(settings: Settings) -> None:
    """Check the configuration and migrate the database once, before workers start.

    Raises ``ConfigError`` for a bad configuration file.
    """
    load_network(settings.config_path)
    SqliteStore(settings.db_path)


def build(settings: Settings) -> Pcf:
    store = SqliteStore(settings.db_path)
    engine = LoadAwareDecider(load_network(settings.config_path))
    sender = NotificationSender(store.unit_of_work)
    return Pcf(
        store=store,
        sender=sender,
        policies=BdtPolicyControl(store.unit_of_work, engine, planner=engine),
        events=NetworkEvents(store.unit_of_work, engine, engine, outbox_written=sender.wake),
    )


def create_app(settings: Settings | None = None) -> connexion.AsyncApp:
    """A PCF application with everything built from ``settings``."""
    settings = settings or Settings()
    pcf = build(settings)
    return create_connexion_app(
        pcf.policies,
        pcf.events,
        settings,
        background=pcf.sender.run,
        reset_store=pcf.store.reset,
    )


def app_from_environment() -> connexion.AsyncApp:
    """Factory for server workers: settings come from PCF_BDT_* variables."""
    return create_app(Settings.from_environment())
