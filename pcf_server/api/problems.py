"""ProblemDetails (TS 29.571) responses, as TS 29.500 clause 5.2.7 wants errors reported.

Every error response of the PCF is ``application/problem+json`` with ``status`` and
``cause``. The causes are those of TS 29.500 table 5.2.7.2-1 (and TS 29.554's own
BDT_POLICY_NOT_FOUND). For 405, 406, 408 and 413 that table has no cause; the PCF then uses
the HTTP reason phrase in the same style (METHOD_NOT_ALLOWED, NOT_ACCEPTABLE,
REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE), so that a consumer can always branch on ``cause``.
"""

from __future__ import annotations

import json
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse

PROBLEM_JSON = "application/problem+json"
BAD_REQUEST = "Bad Request"
INVALID_MSG_FORMAT = "INVALID_MSG_FORMAT"

# The cause for each status when the error itself does not name one.
_DEFAULT_CAUSE = {
    400: INVALID_MSG_FORMAT,
    404: "RESOURCE_URI_STRUCTURE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    408: "REQUEST_TIMEOUT",
    411: "INCORRECT_LENGTH",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "SYSTEM_FAILURE",
    503: "NF_CONGESTION",
}
_TITLES = {
    400: BAD_REQUEST,
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def problem_document(
    status: int,
    cause: str | None,
    title: str | None = None,
    detail: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"status": status, "title": title or _TITLES.get(status, "Error")}
    cause = cause or _DEFAULT_CAUSE.get(status, "UNSPECIFIED_MSG_FAILURE")
    doc["cause"] = cause
    if detail:
        doc["detail"] = detail
    if invalid_params:
        doc["invalidParams"] = invalid_params
    return doc


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def problem(document: dict[str, Any], **headers: str) -> ConnexionResponse:
    """The response carrying a ProblemDetails document (``problem_document``)."""
    return ConnexionResponse(
        status_code=document["status"],
        content_type=PROBLEM_JSON,
        headers=headers or None,
        body=encode(document),
    )


def from_exception(exc: ProblemException) -> ConnexionResponse:
    """A connexion ProblemException (ours carry cause and invalidParams in ``ext``)."""
    ext: dict[str, Any] = dict(exc.ext or {})
    document = problem_document(
        exc.status, ext.pop("cause", None), exc.title, exc.detail, ext.pop("invalidParams", None)
    )
    document.update(ext)
    return problem(document, **dict(exc.headers or {}))


def invalid_message(detail: str) -> ProblemException:
    """400 INVALID_MSG_FORMAT: the body cannot be read as the JSON document it must be."""
    return ProblemException(
        status=400, title=BAD_REQUEST, detail=detail, ext={"cause": INVALID_MSG_FORMAT}
    )
