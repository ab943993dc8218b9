"""ProblemDetails (TS 29.571) responses, as TS 29.500 clause 5.2.7 wants errors reported."""

from __future__ import annotations

import json
from typing import Any

from connexion.lifecycle import ConnexionResponse

PROBLEM_JSON = "application/problem+json"

# Causes of TS 29.500 table 5.2.7.2-1 for the statuses connexion produces by itself.
_DEFAULT_CAUSE = {
    400: "INVALID_MSG_FORMAT",
    404: "RESOURCE_URI_STRUCTURE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    411: "LENGTH_REQUIRED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "SYSTEM_FAILURE",
    503: "NF_CONGESTION",
}


def problem_document(
    status: int,
    cause: str | None,
    title: str,
    detail: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"status": status, "title": title}
    cause = cause or _DEFAULT_CAUSE.get(status)
    if cause:
        doc["cause"] = cause
    if detail:
        doc["detail"] = detail
    if invalid_params:
        doc["invalidParams"] = invalid_params
    return doc


def problem_response(status: int, document: dict[str, Any], **headers: str) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        content_type=PROBLEM_JSON,
        headers=headers or None,
        body=json.dumps(document).encode(),
    )


def problem(
    status: int,
    cause: str | None,
    title: str,
    detail: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
) -> ConnexionResponse:
    return problem_response(status, problem_document(status, cause, title, detail, invalid_params))
