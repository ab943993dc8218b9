"""A minimal NWDAF for tests: Nnwdaf_EventsSubscription subscriptions and notifications.

``POST /nnwdaf-eventssubscription/v1/subscriptions`` creates a subscription (201 with a
Location), ``PUT`` of it replaces it (200, or 404 for one it does not hold), ``DELETE``
removes it (204 or 404). ``restart()`` forgets every subscription, as an NWDAF that
restarted. ``notify(subscription_id, notification)`` posts to the subscription's
notificationURI, as the NWDAF's callback does. Served by hypercorn (h2c) in this process.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from nef_client._serving import background

PATH = "/nnwdaf-eventssubscription/v1/subscriptions"


class MiniNwdaf:
    def __init__(self) -> None:
        self.subscriptions: dict[str, dict[str, Any]] = {}
        # Where each subscription ever made was to be notified (a restart forgets the
        # subscriptions, not this: a test may replay a report of a forgotten one).
        self.callbacks: dict[str, str] = {}
        self.events: list[tuple[str, str]] = []  # (method, subscription id or "")
        self.url = ""
        self._ids = itertools.count(1)
        self._generation = 0
        self._changed = threading.Condition()

    def restart(self) -> None:
        with self._changed:
            self.subscriptions.clear()
            self._generation += 1

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise TimeoutError(f"NWDAF mock: condition not met in {timeout}s: {self.events}")

    def notify(self, subscription_id: str, notification: dict[str, Any]) -> httpx.Response:
        """POST one NnwdafEventsSubscriptionNotification to the subscription's callback."""
        uri = self.callbacks[subscription_id]
        body = [{"subscriptionId": subscription_id, **notification}]
        with httpx.Client(http1=False, http2=True, timeout=30) as client:
            return client.post(uri, json=body)

    def _handle(
        self, method: str, path: str, body: bytes
    ) -> tuple[int, dict[str, Any] | None, list]:
        if path == PATH and method == "POST":
            document = json.loads(body)
            subscription_id = f"g{self._generation}-{next(self._ids)}"
            self.subscriptions[subscription_id] = document
            self.callbacks[subscription_id] = document["notificationURI"]
            self.events.append(("POST", subscription_id))
            location = f"{self.url}{PATH}/{subscription_id}"
            return 201, document, [(b"location", location.encode())]
        if path.startswith(PATH + "/"):
            subscription_id = path[len(PATH) + 1 :]
            self.events.append((method, subscription_id))
            if subscription_id not in self.subscriptions:
                return 404, {"status": 404, "cause": "SUBSCRIPTION_NOT_FOUND"}, []
            if method == "PUT":
                self.subscriptions[subscription_id] = json.loads(body)
                return 200, self.subscriptions[subscription_id], []
            if method == "DELETE":
                del self.subscriptions[subscription_id]
                return 204, None, []
        return 404, {"status": 404, "cause": "RESOURCE_URI_STRUCTURE_NOT_FOUND"}, []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        with self._changed:
            status, document, headers = self._handle(
                scope["method"], scope["path"], b"".join(chunks)
            )
            self._changed.notify_all()
        content = b"" if document is None else json.dumps(document).encode()
        if document is not None:
            headers = [*headers, (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


@contextmanager
def running_nwdaf() -> Iterator[MiniNwdaf]:
    nwdaf = MiniNwdaf()
    with background(nwdaf) as url:
        nwdaf.url = url
        yield nwdaf
