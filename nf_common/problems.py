"""ProblemDetails (TS 29.571) documents, as TS 29.500 clause 5.2.7 wants errors reported.

Every error response of our servers is ``application/problem+json`` with ``status`` and
``cause``. The causes are those of TS 29.500 table 5.2.7.2-1 (and the APIs' own, such as
TS 29.554's BDT_POLICY_NOT_FOUND). For 405, 406, 408 and 413 that table has no cause; the
reason phrase is then used in the same style (METHOD_NOT_ALLOWED, NOT_ACCEPTABLE,
REQUEST_TIMEOUT, PAYLOAD_TOO_LARGE), so that a consumer can always branch on ``cause``.

Standard library only; ``responses`` turns these documents into connexion responses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nf_common.asgi import Send, respond

PROBLEM_JSON = "application/problem+json"
BAD_REQUEST = "Bad Request"
# The causes of an unusable request body (TS 29.500 table 5.2.7.2-1), and which one a
# ProblemDetails carries when one body has several kinds of error: the first of these.
INVALID_MSG_FORMAT = "INVALID_MSG_FORMAT"
MANDATORY_IE_MISSING = "MANDATORY_IE_MISSING"
MANDATORY_IE_INCORRECT = "MANDATORY_IE_INCORRECT"
OPTIONAL_IE_INCORRECT = "OPTIONAL_IE_INCORRECT"
CAUSE_PRIORITY = (
    MANDATORY_IE_MISSING,
    MANDATORY_IE_INCORRECT,
    OPTIONAL_IE_INCORRECT,
    INVALID_MSG_FORMAT,
)

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


def pointer(path: Iterable[str | int]) -> str:
    """RFC 6901 JSON pointer of an instance path; the empty path is the whole document."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


async def send_problem(send: Send, document: dict[str, Any], **headers: str) -> None:
    """Answer with a ProblemDetails document (``problem_document``) from plain ASGI."""
    await respond(send, document["status"], encode(document), PROBLEM_JSON, headers)
