"""The service layer's ports (``pcf_server.service.ports``) on SQLite, with migrations."""

from pcf_server.storage.sqlite import SettingsMismatch, SqliteStore

__all__ = ["SettingsMismatch", "SqliteStore"]
