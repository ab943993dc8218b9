"""Which optional extra a feature needs, and what to tell a user who has not installed it.

The fixtures and ``nef-bdt listen`` check before they start anything, so that a missing
extra is one sentence with the ``pip install`` line, not a ModuleNotFoundError from deep
inside a server start.
"""

from __future__ import annotations

import importlib.util

EXTRA_MODULES = {
    "server": ("connexion", "granian", "jwt", "cryptography", "hypercorn"),
    "receiver": ("jsonschema", "referencing", "rfc3339_validator", "yaml", "hypercorn"),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # set to None in sys.modules, or a broken install
        return False


def missing_extra(extra: str, what: str, modules: tuple[str, ...] | None = None) -> str | None:
    """The sentence to show when a module of ``extra`` is absent; None when all are there."""
    wanted = EXTRA_MODULES[extra] if modules is None else modules
    missing = [name for name in wanted if not _installed(name)]
    if not missing:
        return None
    return f"{what} needs {', '.join(missing)} (the {extra} extra): pip install 'npcf-bdt[{extra}]'"
