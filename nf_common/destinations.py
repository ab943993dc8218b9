"""Which URIs a notification can be delivered to (``nf_common.delivery`` POSTs to them).

Checked where a URI comes in (the PCF's ``notifUri``, the NEF's
``notificationDestination``): found only at delivery, a URI the sender can never POST
to would make the notification undeliverable with nobody told, and the one who can fix
it is the one sending it now.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# 2048 characters is far beyond any real callback and well under what HTTP clients and
# proxies accept (httpx refuses 64 KiB), so a longer one can only fail at delivery time.
MAX_URI = 2048
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")


def undeliverable(uri: str, name: str) -> str | None:
    """Why ``uri`` (the attribute ``name``) can never be delivered to; None if it can.

    It must be an absolute ``http`` or ``https`` URI with a host, a valid port, no
    spaces or control characters, of at most ``MAX_URI`` characters.
    """
    if len(uri) > MAX_URI:
        return f"{name} is longer than {MAX_URI} characters"
    if _NOT_IN_URI.search(uri):
        return f"{name} contains spaces or control characters"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"{name} is not a valid URI ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{name} must be an absolute http or https URI"
    return None
