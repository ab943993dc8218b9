"""Every error nef_client raises, in one hierarchy (as httpx keeps its own in one module).

Catch ``NefClientError`` for "the call did not succeed"; catch a narrower class to act on
one case. Errors the PCF reported carry its ProblemDetails (TS 29.571) so the caller can
branch on the 3GPP ``cause`` rather than on status codes or message text::

    NefClientError
    ├── TransportError          no usable answer: connection refused, reset, timeout
    ├── TooManyRedirects        307/308 chain longer than the client allows
    ├── UnexpectedResponse      an answer the specification does not allow (no Location...)
    ├── TokenError              the NRF did not issue an access token
    ├── DiscoveryError          the NRF could not be asked, or knows no usable PCF
    └── ProblemDetailsError     the PCF answered with an error status
        ├── ClientError         4xx
        │   ├── BadRequest          400
        │   ├── Unauthorized        401
        │   ├── Forbidden           403
        │   ├── NotFound            404
        │   └── TooManyRequests     429
        └── ServerError         5xx
            └── ServiceUnavailable  503
"""

from __future__ import annotations

from typing import Any

import httpx
from npcf_bdt_client.models import InvalidParam, ProblemDetails
from npcf_bdt_client.types import UNSET

from nf_common import oauth2

__all__ = [
    "BadRequest",
    "ClientError",
    "DiscoveryError",
    "Forbidden",
    "NefClientError",
    "NotFound",
    "ProblemDetailsError",
    "ServerError",
    "ServiceUnavailable",
    "TokenError",
    "TooManyRedirects",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
]


class NefClientError(Exception):
    """Base of every error of nef_client."""


class TransportError(NefClientError):
    """The request got no HTTP answer (after the retries the client allows)."""


class TooManyRedirects(NefClientError):
    """The PCF (or an SCP) kept redirecting."""


class UnexpectedResponse(NefClientError):
    """The PCF answered something TS 29.554 does not allow, so it cannot be interpreted."""

    def __init__(self, message: str, status: int, body: bytes) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TokenError(NefClientError, oauth2.TokenError):
    """The NRF refused the access token request, or answered something unusable.

    ``error`` is the OAuth 2.0 error code of AccessTokenErr (e.g. ``invalid_scope``) when
    the NRF sent one. It is also the shared ``nf_common.oauth2.TokenError`` (whose
    ``__init__`` it takes): the token flow, shared with the PCF, raises it.
    """


class DiscoveryError(NefClientError):
    """No PCF to call (TS 29.510 Nnrf_NFDiscovery).

    The NRF could not be asked and no PCF was found before, or it knows no PCF offering
    npcf-bdtpolicycontrol v1.
    """


class ProblemDetailsError(NefClientError):
    """The PCF answered an error status; ``problem`` is its ProblemDetails body.

    When the PCF sent no (or no valid) ProblemDetails, ``problem`` holds only the status,
    so ``cause`` and ``invalid_params`` can be read without checks.
    """

    def __init__(self, status: int, problem: ProblemDetails, retry_after: float | None) -> None:
        self.status = status
        self.problem = problem
        self.retry_after = retry_after
        parts = [f"{status}"]
        if self.cause:
            parts.append(self.cause)
        detail = problem.detail or problem.title
        if detail:
            parts.append(str(detail))
        super().__init__(": ".join(parts))

    @property
    def cause(self) -> str | None:
        """The machine-readable 3GPP cause (e.g. ``BDT_POLICY_NOT_FOUND``), if sent."""
        return None if problem_unset(self.problem.cause) else str(self.problem.cause)

    @property
    def invalid_params(self) -> list[InvalidParam]:
        """Which parts of the request the PCF rejected, and why."""
        params = self.problem.invalid_params
        return [] if problem_unset(params) else list(params)  # type: ignore[arg-type]


class ClientError(ProblemDetailsError):
    """4xx: the request was wrong; sending it again unchanged will not help."""


class BadRequest(ClientError):
    """400."""


class Unauthorized(ClientError):
    """401, after the client already fetched a fresh token once."""


class Forbidden(ClientError):
    """403."""


class NotFound(ClientError):
    """404, e.g. cause ``BDT_POLICY_NOT_FOUND``."""


class TooManyRequests(ClientError):
    """429, after the retries the client allows."""


class ServerError(ProblemDetailsError):
    """5xx: the PCF could not handle a request that may well be right."""


class ServiceUnavailable(ServerError):
    """503 (e.g. ``NF_CONGESTION``), after the retries the client allows."""


_BY_STATUS: dict[int, type[ProblemDetailsError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    429: TooManyRequests,
    503: ServiceUnavailable,
}


def problem_unset(value: Any) -> bool:
    return value is UNSET or value is None


def error_from_response(response: httpx.Response, retry_after: float | None) -> NefClientError:
    """The exception for an answer that is not a success of the operation."""
    status = response.status_code
    if not 400 <= status <= 599:
        return UnexpectedResponse(
            f"unexpected status {status} from {response.request.method} {response.request.url}",
            status,
            response.content,
        )
    problem = ProblemDetails(status=status)
    try:
        document = response.json()
        if isinstance(document, dict):
            problem = ProblemDetails.from_dict(document)
    except (ValueError, KeyError, TypeError):
        pass  # not JSON or not a ProblemDetails: keep the bare status
    if problem_unset(problem.status):
        problem.status = status
    cls = _BY_STATUS.get(status) or (ClientError if status < 500 else ServerError)
    return cls(status, problem, retry_after)
