"""ProblemDetails as connexion responses, and the error handlers every API of ours has.

Each application adds its own handlers for its service errors; ``add_error_handlers``
adds those all of them share: connexion's ProblemException (schema errors, as
``validation`` raises them), starlette's HTTPException (routing) and, last resort,
any other exception as 500 SYSTEM_FAILURE, logged, never a traceback to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import connexion
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from nf_common.problems import (
    BAD_REQUEST,
    INVALID_MSG_FORMAT,
    PROBLEM_JSON,
    encode,
    problem_document,
)


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


def _connexion_problem(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return from_exception(exc)


def _http_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    document = problem_document(exc.status_code, None, detail=exc.detail)
    return problem(document, **dict(exc.headers or {}))


def _unexpected(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logging.getLogger(__name__).error("unexpected error", exc_info=exc)
    document = problem_document(500, "SYSTEM_FAILURE", detail=type(exc).__name__)
    return problem(document)


ErrorHandler = Callable[[ConnexionRequest, Exception], ConnexionResponse]


def add_error_handlers(
    app: connexion.AsyncApp, own: Mapping[type[Exception], ErrorHandler] | None = None
) -> None:
    """The application's ``own`` handlers, and those every application has (see above)."""
    for exception, handler in (own or {}).items():
        app.add_error_handler(exception, handler)
    app.add_error_handler(ProblemException, _connexion_problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)
