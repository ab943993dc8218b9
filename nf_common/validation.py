"""Request body validation that reports like TS 29.500 clause 5.2.7 wants.

connexion's own JSON body validator stops at the first schema error, has no 3GPP cause,
crashes (500) on bodies that are not UTF-8 and checks no integer format. This subclass,
registered for every JSON media type (``*/*json`` also covers merge-patch), reads the
body strictly as RFC 8259 JSON, collects every schema error and raises one ProblemDetails
naming each offending attribute as a JSON pointer in ``invalidParams``.

Causes (TS 29.500 table 5.2.7.2-1):

- ``INVALID_MSG_FORMAT``: the body is not JSON text (bad syntax, not UTF-8, NaN, nesting
  too deep), is empty, or is not an object;
- ``MANDATORY_IE_MISSING``: a mandatory attribute is absent;
- ``MANDATORY_IE_INCORRECT``: a mandatory attribute has a wrong value;
- ``OPTIONAL_IE_INCORRECT``: an optional attribute has a wrong value, or lacks a member
  its own type requires (see below);
- ``INVALID_MSG_FORMAT`` also for members a schema forbids (``additionalProperties:
  false``, the operator API) at the top of the body, where no IE contains them; each one
  is listed in ``invalidParams``. Inside an IE they make that IE incorrect.

"Mandatory" follows the path from the root: an attribute is mandatory when it and every
attribute containing it are ``required`` in their schemas (array items count as their
array). So ``/desTimeInt/startTime`` is mandatory, ``/nwAreaInfo/tais/0/tac`` is not,
because ``nwAreaInfo`` is optional. When several errors have different causes, the
ProblemDetails carries the first of MISSING, MANDATORY INCORRECT, OPTIONAL INCORRECT,
INVALID_MSG_FORMAT; ``invalidParams`` lists them all, each reason saying which kind it is.

A member required by its own type but missing from an optional IE (``selTransPolicyId``
in a ``bdtPolData`` sent without it, ``networkArea`` in an NWDAF ``nwPerfs`` item) is
OPTIONAL_IE_INCORRECT, not MANDATORY_IE_MISSING: TS 29.500 table 5.2.7.2-1 keeps
MANDATORY_IE_MISSING for IEs the message must carry, and an IE inside an optional one
is not such an IE; what is wrong is the optional IE, which is incomplete. The entry in
``invalidParams`` still points at the missing member, the most precise place, and its
reason says which optional IE is incomplete ("optional IE /bdtPolData is incomplete:
...") so that cause and reason agree.

Merge-patch bodies (RFC 7396) get ``MergePatchBodyValidator``: there null is not a value
but "remove this member", so null passes for a member that its schema does not require
and that is not an object (what removing it means is the handler's business; for the
PCF's ``warnNotifReq`` see ``pcf_server.wire.update_from_document``). Null for a
required member, or for a whole object such as ``bdtPolData``, stays an error, its
reason saying it cannot be removed.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import math
import re
import typing as t
import uuid
from collections.abc import Iterable, Mapping, Sequence

import jsonschema_rs
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.utils import is_null, is_nullable
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from rfc3339_validator import validate_rfc3339
from starlette.types import Scope

from nf_common.problems import (
    BAD_REQUEST,
    CAUSE_PRIORITY,
    INVALID_MSG_FORMAT,
    MANDATORY_IE_INCORRECT,
    MANDATORY_IE_MISSING,
    OPTIONAL_IE_INCORRECT,
    pointer,
)
from nf_common.responses import invalid_message

_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}


def _format_checker() -> FormatChecker:
    """Draft 4 formats (date-time through rfc3339-validator) plus the OpenAPI ones."""
    checker = FormatChecker(formats=Draft4Validator.FORMAT_CHECKER.checkers)
    for name, (low, high) in _INT_RANGES.items():

        def in_range(value: object, low: int = low, high: int = high) -> bool:
            # Other types are the "type" keyword's business, not the format's.
            return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

        checker.checks(name)(in_range)

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        # RFC 3339 section 5.6: "T" and "Z" may be lowercase; rfc3339-validator wants them
        # upper-case, and nothing else in a date-time has a case.
        return not isinstance(value, str) or validate_rfc3339(value.upper())

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    return checker


FORMAT_CHECKER = _format_checker()
# Bodies longer than this are read and checked in a thread, off the event loop.
OFF_LOOP_BYTES = 64 * 1024


def _branches(schema: Mapping[str, t.Any]) -> list[Mapping[str, t.Any]]:
    """The schema and the allOf parts that add to it (3GPP uses allOf for extensions)."""
    return [schema, *(part for part in schema.get("allOf", []) if isinstance(part, Mapping))]


def is_mandatory(schema: Mapping[str, t.Any], path: Sequence[str | int]) -> bool:
    """Whether the attribute at ``path`` and all that contain it are required."""
    node: Mapping[str, t.Any] | None = schema
    for token in path:
        if node is None:
            return True  # below a oneOf/anyOf: keep what was known above
        if isinstance(token, int):
            node = next((b["items"] for b in _branches(node) if "items" in b), None)
            continue
        parts = _branches(node)
        if not any(token in part.get("required", []) for part in parts):
            return False
        node = next(
            (p["properties"][token] for p in parts if token in p.get("properties", {})), None
        )
    return True


def schema_at(schema: Mapping[str, t.Any], path: Sequence[str | int]) -> Mapping[str, t.Any] | None:
    """The schema of the attribute at ``path``; None below a oneOf/anyOf or if unknown."""
    node: Mapping[str, t.Any] | None = schema
    for token in path:
        if node is None:
            return None
        parts = _branches(node)
        if isinstance(token, int):
            node = next((p["items"] for p in parts if "items" in p), None)
        else:
            node = next(
                (p["properties"][token] for p in parts if token in p.get("properties", {})), None
            )
    return node


def _is_required(schema: Mapping[str, t.Any], path: Sequence[str | int]) -> bool:
    """Whether the last member of ``path`` is required by the object that holds it."""
    parent = schema_at(schema, path[:-1])
    name = path[-1]
    return parent is None or any(name in p.get("required", []) for p in _branches(parent))


def _entries(error: ValidationError, schema: Mapping[str, t.Any]) -> list[tuple[str, str, str]]:
    """(cause, pointer, reason) for one schema error."""
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        required: list[str] = list(t.cast(list[str], error.validator_value))
        missing = [name for name in required if name not in error.instance]
        return [_missing(schema, path, name) for name in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        return [_unknown(schema, path, name) for name in _additional(error)]
    cause = MANDATORY_IE_INCORRECT if is_mandatory(schema, path) else OPTIONAL_IE_INCORRECT
    kind = "mandatory" if cause == MANDATORY_IE_INCORRECT else "optional"
    return [(cause, pointer(path), f"{kind} attribute: {_short(error.message)}")]


def _missing(schema: Mapping[str, t.Any], path: list[str | int], name: str) -> tuple[str, str, str]:
    """A required member absent; inside an optional IE, that IE is what is incorrect."""
    where = pointer([*path, name])
    if is_mandatory(schema, [*path, name]):
        return MANDATORY_IE_MISSING, where, f"mandatory attribute {name!r} is missing"
    reason = f"optional IE {pointer(path)} is incomplete: its member {name!r} is required"
    return OPTIONAL_IE_INCORRECT, where, reason


def _additional(error: ValidationError) -> list[str]:
    """The members of an object that its schema (additionalProperties: false) forbids."""
    instance = t.cast(Mapping[str, t.Any], error.instance)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        name
        for name in instance
        if name not in known and not any(re.search(pattern, name) for pattern in patterns)
    ]


def _unknown(schema: Mapping[str, t.Any], path: list[str | int], name: str) -> tuple[str, str, str]:
    """A member the schema forbids: a wrong message at the top, else a wrong IE."""
    reason = f"unknown attribute {name!r}: no other members are allowed here"
    if not path:
        return INVALID_MSG_FORMAT, pointer([name]), reason
    cause = MANDATORY_IE_INCORRECT if is_mandatory(schema, path) else OPTIONAL_IE_INCORRECT
    return cause, pointer([*path, name]), reason


# Errors about members of the document, reported per member even at its top level.
_MEMBER_ERRORS = frozenset({"required", "additionalProperties"})


def _short(message: str) -> str:
    """A schema error's message without the whole offending value (it may be 900 kB)."""
    return message if len(message) <= 300 else message[:200] + " ... " + message[-80:]


def problem_for(
    errors: Iterable[ValidationError],
    schema: Mapping[str, t.Any],
    over_bounds: Iterable[tuple[list[str | int], str]] = (),
) -> ProblemException:
    """One 400 ProblemDetails for all schema errors of a body and its ``over_bounds``.

    ``over_bounds`` are (instance path, reason) of attributes over the application's own
    bounds (``Bounds``); they are reported as schema errors of the same attribute would be.
    """
    entries: list[tuple[str, str, str]] = []
    for error in errors:
        if not error.absolute_path and error.validator not in _MEMBER_ERRORS:
            # The document as a whole has the wrong shape (e.g. an array).
            return invalid_message(_short(error.message))
        entries.extend(_entries(error, schema))
    for path, reason in over_bounds:
        cause = MANDATORY_IE_INCORRECT if is_mandatory(schema, path) else OPTIONAL_IE_INCORRECT
        kind = "mandatory" if cause == MANDATORY_IE_INCORRECT else "optional"
        entries.append((cause, pointer(path), f"{kind} attribute: {reason}"))
    # Draft 4 reports each missing member once per "required" error, i.e. repeatedly.
    entries = sorted(set(entries), key=lambda entry: (entry[1], entry[2]))
    cause = min((entry[0] for entry in entries), key=CAUSE_PRIORITY.index)
    params = [{"param": where, "reason": reason} for _, where, reason in entries]
    detail = "; ".join(f"{p['param']}: {p['reason']}" for p in params)
    return ProblemException(
        status=400,
        title=BAD_REQUEST,
        detail=detail,
        ext={"cause": cause, "invalidParams": params},
    )


class _NotJson(ValueError):
    """Text that Python's json module reads but that is no JSON the PCF can keep."""


def _reject_constant(name: str) -> t.NoReturn:
    raise _NotJson(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when no float can hold it.

    ``1e400`` reads as infinity, which the PCF could store but never write back as JSON
    (every later answer carrying it would be ``Infinity``, which is not JSON).
    """
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 40 else text[:20] + "..."
        raise _NotJson(f"the number {shown} is out of range")
    return value


def _unique_members(pairs: list[tuple[str, t.Any]]) -> dict[str, t.Any]:
    """An object whose member names are unique (RFC 8259 4: they SHOULD be).

    With duplicates, receivers disagree on which one counts (Python keeps the last, others
    the first); the PCF refuses the message rather than pick one silently.
    """
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _NotJson(f"the member name {_shown(name)} appears more than once")
            seen.add(name)
    return document


def _shown(text: str) -> str:
    """A string for a message: quoted, short, and printable whatever it holds."""
    short = text if len(text) <= 40 else text[:20] + "..."
    return ascii(short)


def _lone_surrogate(value: t.Any, path: list[str | int]) -> str | None:
    r"""Where the first string holding a lone UTF-16 surrogate (``"\ud800"``) is, if any.

    JSON escapes can write one, Python reads it, but it is no Unicode character: it cannot
    be written as UTF-8, so storing or echoing it fails later, far from the request.
    """
    stack: list[tuple[t.Any, list[str | int]]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if not node.isascii() and _SURROGATE.search(node):
                return f"the string at {pointer(where) or '/'}"
        elif isinstance(node, dict):
            for name, member in node.items():
                if not name.isascii() and _SURROGATE.search(name):
                    return f"a member name of the object at {pointer(where) or '/'}"
                stack.append((member, [*where, name]))
        elif isinstance(node, list):
            stack.extend((item, [*where, index]) for index, item in enumerate(node))
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(raw: bytes) -> t.Any:
    """RFC 8259 JSON text the PCF can keep and echo, else 400 INVALID_MSG_FORMAT.

    UTF-8 (a BOM is tolerated, as RFC 8259 allows); no NaN or Infinity, and no number
    too large for a float; member names unique within an object; no lone surrogate.
    """
    try:
        text = raw.decode("utf-8-sig")
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite,
            object_pairs_hook=_unique_members,
        )
    except UnicodeDecodeError as exc:
        raise invalid_message(f"the body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    except RecursionError as exc:
        raise invalid_message("the body is nested too deeply") from exc
    except _NotJson as exc:
        raise invalid_message(f"the body is not usable JSON: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise invalid_message(f"the body is not JSON: {exc}") from exc
    where = _lone_surrogate(document, [])
    if where is not None:
        raise invalid_message(f"{where} holds a lone UTF-16 surrogate, which is not text")
    return document


# Where the validator leaves the body it read, in the request's ASGI scope: a handler
# takes it from there (``validated_body``) rather than have connexion parse it again.
BODY_KEY = "nf_common.body"


def validated_body(scope: Mapping[str, t.Any]) -> t.Any:
    """The request body as the body validator read it, once it passed validation."""
    return scope[BODY_KEY]


# Compiled validators by schema: connexion hands each request the same schema object of
# its operation, and compiling one (and resolving its references) per request is waste.
_COMPILED: dict[int, tuple[Mapping[str, t.Any], Draft4Validator]] = {}


def compiled(schema: Mapping[str, t.Any]) -> Draft4Validator:
    """The Draft 4 request validator of ``schema`` (OpenAPI's nullable, readOnly...)."""
    entry = _COMPILED.get(id(schema))
    if entry is None or entry[0] is not schema:
        from connexion.json_schema import Draft4RequestValidator

        entry = (schema, Draft4RequestValidator(schema, format_checker=FORMAT_CHECKER))
        _COMPILED[id(schema)] = entry
    return entry[1]


# jsonschema-rs validators by schema, as ``_COMPILED``: a quick "valid" for most bodies.
_QUICK: dict[int, tuple[Mapping[str, t.Any], t.Any]] = {}


def quick_validator(schema: Mapping[str, t.Any]) -> t.Any:
    """A jsonschema-rs validator that finds valid only what ``compiled(schema)`` finds valid.

    Checking a valid body in Rust costs a fraction of jsonschema's walk; only a body it
    refuses goes through jsonschema, whose errors make the ProblemDetails. So it may be
    stricter than jsonschema, never laxer: formats are jsonschema's own checks
    (``FORMAT_CHECKER``, called for strings as jsonschema calls them), the integer formats
    become the ``minimum``/``maximum`` they mean (jsonschema-rs checks formats of strings
    only), and OpenAPI's ``nullable``, which jsonschema-rs does not know, makes it refuse
    a null that jsonschema would take (such a body goes the long way). None when
    jsonschema-rs cannot take the schema: every body then goes through jsonschema.
    """
    entry = _QUICK.get(id(schema))
    if entry is None or entry[0] is not schema:
        try:
            validator = jsonschema_rs.Draft4Validator(
                _with_integer_ranges(copy.deepcopy(dict(schema))),
                formats={name: functools.partial(_conforms, name) for name in _FORMATS},
                validate_formats=True,
            )
        except (ValueError, TypeError, jsonschema_rs.ValidationError):
            validator = None
        entry = _QUICK[id(schema)] = (schema, validator)
    return entry[1]


_FORMATS = tuple(FORMAT_CHECKER.checkers)


def _conforms(name: str, value: str) -> bool:
    return FORMAT_CHECKER.conforms(value, name)


def _with_integer_ranges(node: t.Any) -> t.Any:
    """``node`` with each integer format's range added as ``minimum`` and ``maximum``."""
    if isinstance(node, dict):
        for value in node.values():
            _with_integer_ranges(value)
        name = node.get("format")
        bounds = _INT_RANGES.get(name) if isinstance(name, str) else None
        if bounds is not None:
            low, high = bounds
            node["allOf"] = [*node.get("allOf", []), {"minimum": low, "maximum": high}]
    elif isinstance(node, list):
        for item in node:
            _with_integer_ranges(item)
    return node


def quickly_valid(schema: Mapping[str, t.Any], body: t.Any) -> bool:
    """Whether ``quick_validator`` finds ``body`` valid (False when it cannot tell)."""
    validator = quick_validator(schema)
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(body))
    except (ValueError, TypeError, OverflowError):  # a value it cannot take: the long way
        return False


# Compiled validators of parameters, by parameter (the operation's own, every request).
_PARAMETERS: dict[int, tuple[Mapping[str, t.Any], Draft4Validator]] = {}


def _parameter_validator(param: Mapping[str, t.Any]) -> Draft4Validator:
    """The validator connexion uses for a parameter's value (Draft 4 and its formats)."""
    entry = _PARAMETERS.get(id(param))
    if entry is None or entry[0] is not param:
        schema = param.get("schema", param)
        validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        entry = _PARAMETERS[id(param)] = (param, validator)
    return entry[1]


class CompiledParameterValidator(ParameterValidator):  # type: ignore[misc]
    """connexion's parameter validator with each parameter's schema compiled once.

    connexion copies the parameter and compiles a validator of its schema for every
    request; the checks and messages are the same.
    """

    def validate_parameter(
        self,
        parameter_type: str,
        value: t.Any,
        param: Mapping[str, t.Any],
        param_name: str | None = None,
    ) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                _parameter_validator(param).validate(value)
            except ValidationError as exception:
                return str(exception)
            return None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


# The application's limits beyond the schema: (instance path, reason) of each attribute
# of a document over them (the PCF's ``api.bounds.violations``).
Bounds = t.Callable[[t.Any], Iterable[tuple[list[str | int], str]]]


class ProblemDetailsBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """connexion body validator raising 3GPP ProblemDetails; see the module docstring."""

    def bounds(self, document: t.Any) -> Iterable[tuple[list[str | int], str]]:
        """The application's limits beyond the schema (none here; ``body_validators``)."""
        return ()

    @property
    def _validator(self) -> Draft4Validator:
        return compiled(self._schema)

    _checked = False

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        raw = b"".join([message async for message in stream])
        if not raw.strip():
            return None
        if len(raw) <= OFF_LOOP_BYTES:
            body = parse_json(raw)
        else:
            # Reading and checking a large body takes long enough to hold up every other
            # request of this worker if done on the event loop; a thread does it instead.
            body = await asyncio.to_thread(self._parse_and_check, raw)
            self._checked = True
        # The scope goes on to the handler unchanged, with the body as read here.
        scope[BODY_KEY] = body
        return body

    def _parse_and_check(self, raw: bytes) -> t.Any:
        body = parse_json(raw)
        self._check(body)
        return body

    def _validate(self, body: t.Any) -> dict[str, t.Any] | None:
        if body is None:
            raise invalid_message("the request needs a JSON body")
        if not self._checked:
            self._check(body)
        return None

    def _check(self, body: t.Any) -> None:
        """Raise one ProblemDetails for all schema errors and ``bounds``."""
        errors = (
            [] if quickly_valid(self._schema, body) else list(self._validator.iter_errors(body))
        )
        over = list(self.bounds(body))
        if errors or over:
            raise problem_for(errors, self._schema, over)


class MergePatchBodyValidator(ProblemDetailsBodyValidator):
    """Validator of ``application/merge-patch+json`` bodies: null removes a member.

    See the module docstring for which members null may remove.
    """

    def _check(self, body: t.Any) -> None:
        errors = []
        # A body valid as it stands needs no look at its nulls (see quick_validator).
        found = () if quickly_valid(self._schema, body) else self._validator.iter_errors(body)
        for error in found:
            path = list(error.absolute_path)
            if error.instance is not None or error.validator != "type" or not path:
                errors.append(error)
            elif not isinstance(path[-1], str) or _is_required(self._schema, path):
                error.message = (
                    f"null removes a member (RFC 7396) and {path[-1]!r} is mandatory: "
                    "it cannot be removed"
                )
                errors.append(error)
            elif error.validator_value == "object":
                error.message = (
                    f"null removes a member (RFC 7396) and {path[-1]!r} cannot be removed"
                )
                errors.append(error)
            # otherwise: an optional member removed, which is what null is for
        over = list(self.bounds(body))
        if errors or over:
            raise problem_for(errors, self._schema, over)


def body_validators(bounds: Bounds | None = None) -> dict[str, object]:
    """Connexion's ``validator_map``: these validators for every JSON request body.

    Parameters get connexion's checks, compiled once (``CompiledParameterValidator``).

    ``bounds`` are the application's own limits beyond the schema (the PCF's
    ``api.bounds``), reported as schema errors are.
    """
    limits = bounds

    class Checked(ProblemDetailsBodyValidator):
        def bounds(self, document: t.Any) -> Iterable[tuple[list[str | int], str]]:
            return () if limits is None else limits(document)

    class CheckedMergePatch(MergePatchBodyValidator):
        def bounds(self, document: t.Any) -> Iterable[tuple[list[str | int], str]]:
            return () if limits is None else limits(document)

    return {
        "parameter": CompiledParameterValidator,
        "body": MediaTypeDict(
            {"*/*json": Checked, "application/merge-patch+json": CheckedMergePatch}
        ),
    }
