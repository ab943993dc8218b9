"""The HTTP layer: a connexion application built from ``specs/`` with thin handlers."""

from pcf_server.api.app import create_app

__all__ = ["create_app"]
