"""Reading ProblemDetails answers in tests: one reading, so every test checks the same shape."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM = "application/problem+json"


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer's ProblemDetails, after checking its status, media type and cause."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["cause"]
    return body


def params(body: dict[str, Any]) -> list[str]:
    """The JSON pointers a ProblemDetails names as invalid."""
    return [entry["param"] for entry in body.get("invalidParams", [])]
