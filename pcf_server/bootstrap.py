"""The composition root: the PCF's parts built from its settings and wired together.

Everything that picks an implementation is here (the SQLite store, the load-aware
engine, the HTTP sender of notifications, the token checks, the known NWDAF
subscriptions, the clients of the NRF and the NWDAF) and nowhere else; the use cases and
the HTTP layer receive what they need. ``app_from_environment`` (the SBI listener) and
``admin_app_from_environment`` are the factories the server processes import
(``pcf-bdt serve`` passes the settings in the environment).

What is done once per PCF instance rather than per worker (the NRF registration, the
NWDAF subscriptions, the removal of unanswered warnings: ``instance_tasks``) runs in the
one process of an instance that is not a server worker, the operator listener's (the
stub's single worker with ``--stub``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import connexion

from nf_common.delivery import DeliveryPolicy, NotificationSender
from nf_common.destinations import LABS, Destinations
from nf_common.oauth2 import NrfAuth
from nf_common.workers import die_with_parent
from pcf_server import logs, telemetry
from pcf_server.api.access import TokenPolicy
from pcf_server.api.app import Operations, create_admin_app, create_sbi_app
from pcf_server.api.stub import StubState
from pcf_server.config import ConfigError, load_network
from pcf_server.connections import SilentConnectionCloser
from pcf_server.consumer.nrf import NrfRegistration
from pcf_server.consumer.nwdaf import NwdafClient, token_credentials
from pcf_server.listeners import serve_in_this_loop
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.network import Network
from pcf_server.service import BdtPolicyControl
from pcf_server.service.analytics import EitherSubscriptions, HeldSubscriptions, SubscriptionKeeper
from pcf_server.service.network_events import ConfiguredSubscriptions, NetworkEvents
from pcf_server.service.ports import AnalyticsSubscriptions
from pcf_server.service.status import Status
from pcf_server.service.unanswered import UnansweredWarnings
from pcf_server.settings import NWDAF_BASE_PATH, Settings
from pcf_server.storage import SettingsMismatch, SqliteStore, open_database
from pcf_server.wire.nrf import PcfProfile

if TYPE_CHECKING:
    from pcf_server.storage import Store

log = logging.getLogger(__name__)
Background = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Pcf:
    """The parts of one PCF server process."""

    store: Store
    engine: LoadAwareDecider
    sender: NotificationSender
    policies: BdtPolicyControl
    events: NetworkEvents
    telemetry: telemetry.Telemetry

    def unready(self) -> list[str]:
        """Why this process cannot do its work now (``GET /readyz``); empty when it can."""
        reasons = self.store.unready_reasons()
        if not self.sender.running:
            reasons.append("the notification sender is not running")
        return reasons

    def operations(self, *, metrics: bool) -> Operations:
        """Probes and request logs of a listener, and ``/metrics`` where ``metrics``."""
        scrape = telemetry.scrape(Status(self.store.unit_of_work, self.engine)) if metrics else None
        return Operations(self.unready, telemetry.request_done, scrape)


def token_policy(settings: Settings) -> TokenPolicy | None:
    """The checks of access tokens; None when the PCF asks for none.

    Raises ``access.UnusableKey`` for a key file that cannot be used.
    """
    if not settings.oauth2_keys:
        return None
    return TokenPolicy.from_files(
        settings.oauth2_keys, settings.oauth2_issuer, settings.oauth2_audience
    )


def known_subscriptions(settings: Settings, store: Store) -> AnalyticsSubscriptions | None:
    """Whose NWDAF notifications count.

    With ``--nwdaf``, the subscriptions the PCF holds and any configured ones. Else the
    configured ones: with access tokens only those (none configured: none taken);
    without tokens and with none configured, any (None), as a lab without an NWDAF of
    its own needs.
    """
    configured = ConfiguredSubscriptions(settings.nwdaf_subscriptions)
    if settings.nwdaf_url:
        return EitherSubscriptions(HeldSubscriptions(store.unit_of_work), configured)
    if settings.tokens_required or settings.nwdaf_subscriptions:
        return configured
    return None


def prepare(settings: Settings) -> Network:
    """Check configuration and keys, migrate the database and bind it, before serving.

    Returns the configuration's network. Raises ``ConfigError`` for a bad configuration
    file, or one that the database was not made under (``open_store``), ``UnusableKey``
    for a bad key.
    """
    network = load_network(settings.config_path)
    token_policy(settings)
    open_store(settings.db_path, network).close()
    return network


def open_store(location: Path | str, network: Network) -> Store:
    """The store at ``location`` (a file or a PostgreSQL URI), migrated and bound.

    Bound: checked against ``network``'s meaning of its rows (``store_settings``).
    Raises ``ConfigError`` naming the first setting the store was made under otherwise,
    ``StoreUnavailable`` for a PostgreSQL server that cannot be reached.
    """
    store = open_database(location)
    try:
        store.bind(store_settings(network))
    except SettingsMismatch as exc:
        store.close()
        raise ConfigError(_mismatch(store.location, exc)) from None
    return store


def store_settings(network: Network) -> dict[str, str]:
    """The settings that give stored rows their meaning (``SqliteStore.bind``).

    Slots are numbered by their length; reservations, aggregates and degradations name
    their area, and an area is what its TAIs, cells and RAN nodes are; requests without
    an area count in the default one. Capacities, load profiles, tariffs and the other
    knobs only change decisions to come, and may change between two starts.
    """
    values = {
        "slot_minutes": str(network.slot_seconds // 60),
        "default_area": network.default_area,
    }
    for area in network.areas.values():
        values[f"area {area.area_id}"] = " ".join(sorted(area.identifiers))
    return values


def _mismatch(path: str, exc: SettingsMismatch) -> str:
    if exc.name.startswith("area "):
        area = exc.name.removeprefix("area ")
        difference = (
            f"area {area!r}, which this configuration lacks"
            if exc.given is None
            else f"area {area!r} made of other TAIs, cells or RAN nodes than here"
        )
    else:
        difference = f"{exc.name} {exc.recorded}, where this configuration has {exc.given}"
    return (
        f"{path} was made with {difference}; start it with the configuration it was made "
        "with, or use another --db"
    )


def destinations(settings: Settings, network: Network) -> Destinations:
    """Where notifUri may point: the operator's allow-list, never this PCF's listeners.

    Without one in the configuration, the default of ``nf_common.destinations``, except
    for the test stub, which allows loopback: it listens on loopback itself, for NEF
    tests whose receivers run on the same machine (its own ports stay refused).
    """
    chosen = network.notification_destinations
    if chosen is None:
        chosen = LABS if settings.stub else Destinations()
    own = [settings.admin_port, _port(settings.listen_root)]
    if settings.api_root:
        own.append(_port(settings.api_root))
    return chosen.with_own_ports(*own)


def _port(root: str) -> int:
    parts = urlsplit(root)
    return parts.port or (443 if parts.scheme == "https" else 80)


def build(settings: Settings) -> Pcf:
    network = load_network(settings.config_path)
    store = open_store(settings.db_path, network)
    engine = LoadAwareDecider(network)
    observer = telemetry.Telemetry()
    sender = NotificationSender(
        store.queue_unit_of_work,
        DeliveryPolicy(lease=settings.delivery_lease),
        observer=observer,
        destinations=destinations(settings, network),
    )
    events = NetworkEvents(
        store.unit_of_work,
        engine,
        engine,
        outbox_written=sender.wake,
        subscriptions=known_subscriptions(settings, store),
        observer=observer,
    )
    return Pcf(
        store=store,
        engine=engine,
        sender=sender,
        policies=BdtPolicyControl(store.unit_of_work, engine, planner=engine, observer=observer),
        events=events,
        telemetry=observer,
    )


async def counted_process() -> None:
    """Count this process among those serving (``pcf_bdt_processes``) until it stops."""
    telemetry.process_started()
    try:
        await asyncio.Event().wait()
    finally:
        telemetry.process_stopped()


async def run_periodically(
    step: Callable[[], float], name: str, on_stop: Callable[[], None] | None = None
) -> None:
    """Run ``step`` (in a thread) again after the seconds it returns, until cancelled.

    A step that raises is logged and tried again a minute later; ``on_stop`` runs when
    the task is cancelled (the server stopping), e.g. to deregister from the NRF.
    """
    try:
        while True:
            try:
                delay = await asyncio.to_thread(step)
            except Exception:
                log.exception("%s failed; trying again in a minute", name)
                delay = 60.0
            await asyncio.sleep(delay)
    finally:
        if on_stop is not None:
            await asyncio.to_thread(on_stop)


def _every(seconds: float, action: Callable[[], object]) -> Callable[[], float]:
    def step() -> float:
        action()
        return seconds

    return step


def instance_tasks(settings: Settings, pcf: Pcf) -> list[Background]:
    """What one PCF instance does besides serving: NRF, NWDAF, unanswered warnings."""
    network = pcf.engine.network
    tasks: list[Background] = []
    # Often enough that a policy outlives its deadline by a small fraction of it.
    sweep = min(60.0, network.unanswered_warning.total_seconds() / 10)
    unanswered = UnansweredWarnings(pcf.store.unit_of_work, network, observer=pcf.telemetry)
    tasks.append(
        partial(run_periodically, _every(sweep, unanswered.remove_expired), "unanswered warnings")
    )
    root = settings.advertised_root
    nf_instance_id = settings.nf_instance_id
    if settings.nrf_url or settings.nwdaf_url:
        nf_instance_id = pcf.store.nf_instance_id(root, settings.nf_instance_id)
    if settings.nrf_url:
        profile = PcfProfile(nf_instance_id or "", root, settings.nrf_heartbeat)
        registration = NrfRegistration(settings.nrf_url, profile)
        tasks.append(
            partial(
                run_periodically, registration.step, "NRF registration", registration.deregister
            )
        )
    if settings.nwdaf_url:
        auth = None
        if settings.nwdaf_oauth2 and settings.nrf_url and nf_instance_id:
            auth = NrfAuth(token_credentials(settings.nrf_url, nf_instance_id))
        keeper = SubscriptionKeeper(
            pcf.store.unit_of_work,
            network,
            NwdafClient(settings.nwdaf_url, auth=auth),
            f"{root}{NWDAF_BASE_PATH}/nwdaf-notifications",
            holder=nf_instance_id or root,
        )
        check = network.nwdaf_check.total_seconds()
        tasks.append(
            partial(run_periodically, _every(check, keeper.reconcile), "NWDAF subscriptions")
        )
    return tasks


def create_app(
    settings: Settings | None = None, *, parts: Callable[[Settings], Pcf] = build
) -> connexion.AsyncApp:
    """The SBI application of a PCF built from ``settings``.

    With ``settings.stub``, the operator listener (with the stub's API) is served from
    this process too, by a task of the application's lifespan: the stub's faults and
    journal are this process's memory, which both listeners need. ``parts`` builds the
    PCF's parts; only the throughput benchmark passes another (its "connexion ceiling",
    the same application around use cases that neither decide nor store).
    """
    settings = settings or Settings()
    pcf = parts(settings)
    background: list[Background] = [pcf.sender.run, counted_process]
    stub = None
    if settings.stub:
        background += instance_tasks(settings, pcf)
        stub = StubState()
        admin = create_admin_app(
            pcf.events,
            settings,
            stub=stub,
            reset_store=pcf.store.reset,
            operations=pcf.operations(metrics=True),
        )
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
        operations=pcf.operations(metrics=False),
        destinations=pcf.sender.destinations.refusal,
        reads_on_loop=isinstance(pcf.store, SqliteStore),
    )


def create_admin(settings: Settings | None = None) -> connexion.AsyncApp:
    """The operator application of a PCF built from ``settings``, for its own process."""
    settings = settings or Settings()
    pcf = build(settings)
    background = [pcf.sender.run, counted_process, *instance_tasks(settings, pcf)]
    return create_admin_app(
        pcf.events, settings, background=background, operations=pcf.operations(metrics=True)
    )


def app_from_environment(parts: Callable[[Settings], Pcf] = build) -> connexion.AsyncApp:
    """Factory for SBI server workers: settings come from PCF_BDT_* variables.

    Each worker also closes the connections accepted on its listening socket that stay
    silent (``pcf_server.connections``), and ends with the server process
    (``nf_common.workers``). ``parts``: as for ``create_app``.
    """
    die_with_parent()
    settings = Settings.from_environment()
    logs.configure(settings.log_level, settings.log_format)
    app = create_app(settings, parts=parts)
    if settings.silent_timeout is not None:
        SilentConnectionCloser(settings.silent_timeout).start()
    return app


def admin_app_from_environment() -> connexion.AsyncApp:
    """Factory for the operator listener's process."""
    settings = Settings.from_environment()
    logs.configure(settings.log_level, settings.log_format)
    return create_admin(settings)
