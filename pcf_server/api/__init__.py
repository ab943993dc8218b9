"""The HTTP layer: a connexion application built from ``specs/`` with thin handlers."""
