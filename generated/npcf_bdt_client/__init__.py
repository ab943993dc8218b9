"""A client library for accessing Npcf_BDTPolicyControl Service API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
