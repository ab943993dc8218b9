"""The PCF's logs: standard ``logging``, one line per record, as text or JSON lines.

Every process of a ``pcf-bdt serve`` (the command, each server worker, the operator
listener's process) configures the root logger the same way, from ``--log-level`` and
``--log-format``, and so do the servers' own loggers (granian's and hypercorn's), so
that a collector reads one format on stderr. JSON lines carry the record's message and,
for requests and domain events, their fields (``extra=``) as members of their own.

Nothing logged carries a secret: request lines name the path (never the query or the
headers, so no ``Authorization``), and a database named by URI is shown without its
password (``without_password``).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")


def without_password(location: str) -> str:
    """A store location fit for a log: ``scheme://user:secret@host`` loses the secret."""
    return _PASSWORD.sub(r"\1:***@", location)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                document[key] = value
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str, ensure_ascii=False)


def _formatter(log_format: str) -> dict[str, Any]:
    if log_format == "json":
        return {"()": f"{__name__}.JsonFormatter"}
    return {"()": "logging.Formatter", "fmt": _TEXT}


def dict_config(level: str = "info", log_format: str = "text") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a PCF process (granian takes it too)."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "f"}
    named = {"level": level.upper(), "handlers": ["stderr"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"f": _formatter(log_format)},
        "handlers": {"stderr": handler},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        # granian's loggers (it configures them itself with this dictionary): its own
        # lines at the level chosen, its access log (--access-log) at INFO.
        "loggers": {
            "_granian": named,
            "granian.access": {**named, "level": "INFO"},
            # hypercorn serves the operator listener; our logger object is handed to it.
            "hypercorn.error": named,
            # A line per HTTP request the notification sender makes: the delivery events
            # (pcf_server.events) say what matters of them.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure(level: str = "info", log_format: str = "text") -> None:
    """Configure this process's logging (idempotent: a second call replaces the first)."""
    if level not in LEVELS or log_format not in FORMATS:
        raise ValueError(f"log level {level!r} or format {log_format!r} unknown")
    logging.config.dictConfig(dict_config(level, log_format))
    logging.captureWarnings(True)
