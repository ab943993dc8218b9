"""The PCF's schema migrations: the numbered files of ``pcf_server.storage.migrations``.

The shared runner (``nf_common.migrations``) applies them; see it for the rules.
"""

from __future__ import annotations

import sqlite3
from importlib import resources

from nf_common import migrations as runner

PACKAGE = "pcf_server.storage.migrations"


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration of the PCF's store, in order."""
    return runner.migrations(resources.files(PACKAGE))


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the PCF's database to the newest schema; safe from several processes."""
    return runner.migrate(connection, resources.files(PACKAGE), "PCF")
