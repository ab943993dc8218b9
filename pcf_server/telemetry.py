"""What the PCF tells an operator: domain events as log lines, and Prometheus metrics.

``Telemetry`` is the use cases' observer (``pcf_server.service.observer``) and the
notification sender's (``nf_common.ports.DeliveryObserver``): each event is one log
line on the ``pcf_server.events`` logger, with its fields as ``extra`` (members of their
own in JSON lines), and a count. Requests are logged and counted by the listeners'
middleware (``pcf_server.api.operations``) through ``request_done``.

Metrics (prometheus_client, the project's Prometheus client):

- kept by each process, and under ``pcf-bdt serve`` written to the multi-process
  directory the command manages (``PROMETHEUS_MULTIPROC_DIR``), so that a scrape of the
  operator listener adds up every worker: requests by operation and status with their
  latency, decisions by outcome with the engine's latency, policy events, notification
  deliveries with their latency and attempts, and the live worker processes;
- read from the store when scraped (``StoreCollector``): live policies, reservations,
  held offers, outbox rows by state, and per area the current slot's reservations
  against its limit and the degradations in force. These are the shared store's
  figures, whichever process is scraped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from nf_common.ports import OutboxItem
from pcf_server.policy.model import BdtPolicy
from pcf_server.service.status import Status
from pcf_server.settings import METRICS_DIR_VARIABLE, process_alive

events_log = logging.getLogger("pcf_server.events")

# Buckets in seconds: a request or a decision takes milliseconds; a notification's
# delivery, retried with backoff, may take hours.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_DELIVERY = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 86400.0)
_ATTEMPTS = (1, 2, 3, 5, 10, 20, 50)

REQUESTS = Counter(
    "pcf_bdt_requests", "HTTP requests answered, by operation and status", ["operation", "status"]
)
REQUEST_SECONDS = Histogram(
    "pcf_bdt_request_duration_seconds",
    "Time to answer an HTTP request, by operation",
    ["operation"],
    buckets=_FAST,
)
DECISIONS = Counter(
    "pcf_bdt_decisions", "Decisions on Creates: offered, fallback or refused", ["outcome"]
)
DECISION_SECONDS = Histogram(
    "pcf_bdt_decision_duration_seconds", "Time the engine took to decide a Create", buckets=_FAST
)
POLICY_EVENTS = Counter(
    "pcf_bdt_policy_events",
    "Policies created, selected, warned and removed, and Creates refused (by cause)",
    ["event", "cause"],
)
DELIVERIES = Counter(
    "pcf_bdt_notification_attempts",
    "Notification delivery attempts: delivered, failed (to be retried) or dead (given up)",
    ["result"],
)
DELIVERY_SECONDS = Histogram(
    "pcf_bdt_notification_delivery_seconds",
    "From a notification written to the outbox to its acknowledgement",
    buckets=_DELIVERY,
)
DELIVERY_ATTEMPTS = Histogram(
    "pcf_bdt_notification_delivery_attempt_count",
    "Attempts a notification took, when delivered or given up",
    buckets=_ATTEMPTS,
)
WORKERS = Gauge(
    "pcf_bdt_processes",
    "Live PCF processes serving (server workers and the operator listener's)",
    multiprocess_mode="livesum",
)


class Telemetry:
    """Logs and counts the PCF's domain events and notification deliveries."""

    def decided(self, outcome: str, seconds: float) -> None:
        DECISIONS.labels(outcome).inc()
        DECISION_SECONDS.observe(seconds)

    def created(self, policy: BdtPolicy) -> None:
        offered = [tp.transfer_policy_id for tp in policy.transfer_policies]
        _event(
            "created",
            f"created BDT policy {policy.policy_id} (bdtRefId {policy.bdt_ref_id}, "
            f"aspId {policy.request.asp_id!r}) offering transfer policies {offered}",
            policy_id=policy.policy_id,
            bdt_ref_id=policy.bdt_ref_id,
            consumer=policy.consumer,
        )

    def refused(self, consumer: str, cause: str, reason: str) -> None:
        _event("refused", f"refused a Create ({cause}): {reason}", cause=cause, consumer=consumer)

    def selected(self, policy: BdtPolicy, transfer_policy_id: int) -> None:
        _event(
            "selected",
            f"BDT policy {policy.policy_id} (bdtRefId {policy.bdt_ref_id}): transfer policy "
            f"{transfer_policy_id} selected",
            policy_id=policy.policy_id,
            bdt_ref_id=policy.bdt_ref_id,
            consumer=policy.consumer,
            transfer_policy_id=transfer_policy_id,
        )

    def removed(self, policy_id: str, consumer: str, why: str) -> None:
        _event(
            "removed",
            f"removed BDT policy {policy_id}: {why}",
            policy_id=policy_id,
            consumer=consumer,
            level=logging.WARNING if "warning" in why else logging.INFO,
        )

    def warned(self, policy_ids: list[str], area_ids: list[str], source: str) -> None:
        for policy_id in policy_ids:
            _event(
                "warned",
                f"BDT policy {policy_id} invalidated by a degradation of {', '.join(area_ids)}"
                f" ({source}); its NEF is notified",
                policy_id=policy_id,
                areas=area_ids,
                source=source,
            )

    def degraded(self, area_id: str, factor: float, source: str, degradation_id: int) -> None:
        _event(
            "degraded",
            f"area {area_id} degraded to {factor:g} of its capacity ({source}, degradation "
            f"{degradation_id})",
            area=area_id,
            factor=factor,
            source=source,
            degradation_id=degradation_id,
        )

    def delivered(self, item: OutboxItem, seconds: float) -> None:
        DELIVERIES.labels("delivered").inc()
        DELIVERY_SECONDS.observe(seconds)
        DELIVERY_ATTEMPTS.observe(item.attempts + 1)

    def failed(self, item: OutboxItem, error: str, dead: bool) -> None:
        DELIVERIES.labels("dead" if dead else "failed").inc()
        if dead:
            DELIVERY_ATTEMPTS.observe(item.attempts + 1)
        _event(
            "delivery_dead" if dead else "delivery_failed",
            f"notification {item.item_id} to {item.uri}: {error}"
            + ("; given up, kept as dead" if dead else "; will retry"),
            level=logging.WARNING,
            notification_id=item.item_id,
            uri=item.uri,
            error=error,
            attempts=item.attempts + 1,
        )


def _event(event: str, message: str, *, level: int = logging.INFO, **fields: object) -> None:
    cause = str(fields.get("cause", ""))
    if event not in ("degraded", "delivery_failed", "delivery_dead"):
        POLICY_EVENTS.labels(event, cause).inc()
    events_log.log(level, message, extra={"event": event, **fields})


def request_done(
    method: str, path: str, operation: str, status: int, seconds: float, consumer: str | None
) -> None:
    """One answered request: counted, timed and logged (``pcf_server.requests``)."""
    REQUESTS.labels(operation, str(status)).inc()
    REQUEST_SECONDS.labels(operation).observe(seconds)
    _requests_log.info(
        '"%s %s" %d %.1f ms consumer=%s',
        method,
        path,
        status,
        seconds * 1000,
        consumer or "-",
        extra={
            "method": method,
            "path": path,
            "operation": operation,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "consumer": consumer,
        },
    )


_requests_log = logging.getLogger("pcf_server.requests")


def process_started() -> None:
    """Count this process as serving (``pcf_bdt_processes``)."""
    WORKERS.set(1)


def process_stopped() -> None:
    """Take this process out of the live gauges (it stops)."""
    WORKERS.set(0)
    if os.environ.get(METRICS_DIR_VARIABLE):
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def forget_dead_processes(directory: Path) -> None:
    """Take processes that died without stopping (a crash, ``kill -9``) out of live gauges.

    Their counters and histograms stay: what they counted happened.
    """
    for path in directory.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        if not process_alive(pid):
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


class StoreCollector(Collector):
    """Gauges read from the store at each scrape (``service.status``)."""

    def __init__(self, status: Status) -> None:
        self._status = status

    def collect(self) -> Iterator[Metric]:
        now = self._status.now()
        counts = now.counts
        yield GaugeMetricFamily("pcf_bdt_policies", "BDT policies stored", value=counts.policies)
        reservations = GaugeMetricFamily(
            "pcf_bdt_reservations",
            "Reservation rows: held (offered candidates, hold not expired) and committed",
            labels=["state"],
        )
        for state, count in sorted(counts.reservations.items()):
            reservations.add_metric([state], count)
        yield reservations
        yield GaugeMetricFamily(
            "pcf_bdt_held_offers",
            "Policies whose offered candidates hold capacity until one is selected",
            value=counts.held_offers,
        )
        outbox = GaugeMetricFamily(
            "pcf_bdt_outbox_rows", "Notifications in the outbox, by state", labels=["state"]
        )
        for state, count in sorted(counts.outbox.items()):
            outbox.add_metric([state], count)
        yield outbox
        reserved = GaugeMetricFamily(
            "pcf_bdt_area_reserved_bps",
            "Bit/s reserved for BDT in the current slot, by area and direction",
            labels=["area", "direction"],
        )
        limit = GaugeMetricFamily(
            "pcf_bdt_area_limit_bps",
            "Bit/s BDT may use in the current slot (capacity x ceiling x degradation - load)",
            labels=["area", "direction"],
        )
        degradations = GaugeMetricFamily(
            "pcf_bdt_degradations_in_force",
            "Degradations covering the current slot, by area and source",
            labels=["area", "source"],
        )
        for area in now.areas:
            for direction in ("downlink", "uplink"):
                reserved.add_metric([area.area_id, direction], getattr(area.reserved, direction))
                limit.add_metric([area.area_id, direction], getattr(area.limit, direction))
            for source in ("operator", "nwdaf"):
                degradations.add_metric([area.area_id, source], area.degradations.get(source, 0))
        yield reserved
        yield limit
        yield degradations


class _Delegate(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        yield from self._source.collect()


def scrape(status: Status) -> Callable[[str], tuple[bytes, str]]:
    """The body and content type of ``GET /metrics``: every process's metrics, the store's.

    Given the request's ``Accept``: the Prometheus text format (0.0.4, what every
    Prometheus reads) unless the scraper asks for OpenMetrics.

    Under ``pcf-bdt serve`` (``PROMETHEUS_MULTIPROC_DIR`` set) the processes' metrics
    are read from the directory they write; in one process (tests, an embedding
    program) from this process's registry.
    """
    registry = CollectorRegistry()
    if os.environ.get(METRICS_DIR_VARIABLE):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Delegate(REGISTRY))
    registry.register(StoreCollector(status))

    def render(accept: str) -> tuple[bytes, str]:
        directory = os.environ.get(METRICS_DIR_VARIABLE)
        if directory:
            forget_dead_processes(Path(directory))
        encoder, content_type = choose_encoder(accept)
        return encoder(registry), content_type

    return render
