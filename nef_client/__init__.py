"""The NEF-side SDK for Npcf_BDTPolicyControl (TS 29.554), over the generated client.

``Client`` and ``AsyncClient`` negotiate BDT policies with a PCF; ``nef_client.receiver``
takes the PCF's warning notifications; ``nef_client.testing`` is the pytest plugin with a
PCF stub. Errors are in ``nef_client.exceptions``.
"""

from nef_client import exceptions
from nef_client._async_client import AsyncClient
from nef_client._auth import NrfAuth, NrfClientCredentials
from nef_client._client import Client
from nef_client._models import PolicyRemoved, PolicyResult
from nef_client._retry import NO_RETRY, RetryPolicy
from nef_client.exceptions import *  # noqa: F403  (the errors, as exceptions.__all__ lists them)

__all__ = [
    "NO_RETRY",
    "AsyncClient",
    "Client",
    "NrfAuth",
    "NrfClientCredentials",
    "PolicyRemoved",
    "PolicyResult",
    "RetryPolicy",
]
__all__ += exceptions.__all__
