"""A minimal NWDAF for tests: Nnwdaf_EventsSubscription subscriptions and notifications.

``POST /nnwdaf-eventssubscription/v1/subscriptions`` creates a subscription (201 with a
Location), ``PUT`` of it replaces it (200, or 404 for one it does not hold), ``DELETE``
removes it (204 or 404). ``restart()`` forgets every subscription, as an NWDAF that
restarted. ``notify(subscription_id, notification)`` posts to the subscription's
notificationURI, as the NWDAF's callback does. Served by hypercorn (h2c) in this process.

With ``token_key`` (an NRF's public key, PEM) it is an NWDAF of a core with OAuth 2.0
(TS 33.501 13.4.1): every request must carry ``Authorization: Bearer`` with a token
that key signed (ES256), for the audience NWDAF and the scope
nnwdaf-eventssubscription; any other is answered 401 and counted in ``refused``.
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


SCOPE = "nnwdaf-eventssubscription"


class MiniNwdaf:
    def __init__(self, token_key: bytes | None = None) -> None:
        self.token_key = token_key
        self.refused = 0  # requests answered 401 (no or no valid access token)
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

    def _authorized(self, authorization: str) -> bool:
        if self.token_key is None:
            return True
        import jwt

        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        try:
            claims = jwt.decode(token, self.token_key, algorithms=["ES256"], audience="NWDAF")
        except jwt.PyJWTError:
            return False
        return SCOPE in str(claims.get("scope", "")).split()

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
            if self._authorized(dict(scope["headers"]).get(b"authorization", b"").decode()):
                status, document, headers = self._handle(
                    scope["method"], scope["path"], b"".join(chunks)
                )
            else:
                self.refused += 1
                status, headers = 401, [(b"www-authenticate", b'Bearer error="invalid_token"')]
                document = {"status": 401, "detail": "no valid access token"}
            self._changed.notify_all()
        content = b"" if document is None else json.dumps(document).encode()
        if document is not None:
            headers = [*headers, (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


@contextmanager
def running_nwdaf(token_key: bytes | None = None) -> Iterator[MiniNwdaf]:
    nwdaf = MiniNwdaf(token_key)
    with background(nwdaf) as url:
        nwdaf.url = url
        yield nwdaf
