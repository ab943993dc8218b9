"""Who may call the PCF: NRF access tokens (OAuth 2.0) and client certificates.

TS 33.501 clause 13.4.1 and TS 29.510 clause 5.4: a NEF obtains an access token from the
NRF (``AccessTokenClaims``: ``iss`` the NRF, ``sub`` the consumer's NF instance id,
``aud`` the producer, ``scope`` the service names, ``exp``) and presents it as a Bearer
token (RFC 6750) on every request. The PCF checks it against the NRF's public keys
with PyJWT (signature RS256 or ES256, expiry with a small leeway, issuer and audience
when configured, the scope the path needs) and refuses what fails: 401 with
``WWW-Authenticate: Bearer error="invalid_token"``, or 403 with
``error="insufficient_scope"``, each with a ProblemDetails (TS 29.500 clause 5.2.7).

With client certificates (TS 33.501 clause 13.3, TS 33.310's NF certificate profile: an
NF's certificate carries its NF instance id as a URI SAN ``urn:uuid:<id>``), a token is
only taken from the NF it was issued to: its ``sub`` must be the certificate's NF
instance id, so a token stolen from one NF cannot be replayed by another.

The consumer a request acts for, the token's ``sub``, goes into the ASGI scope under
``CONSUMER_KEY``; without tokens there is one consumer, ``NO_TOKEN_CONSUMER``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from nf_common.problems import PROBLEM_JSON, encode, problem_document
from pcf_server.api.operations import NOTE_KEY, RequestNote
from pcf_server.policy.model import NO_TOKEN_CONSUMER

CONSUMER_KEY = "pcf_bdt.consumer"
# The scope of Npcf_BDTPolicyControl (TS 29.554 Annex A: the oAuth2ClientCredentials
# scope), and the one this PCF asks of an NWDAF posting analytics to its callback URI.
# TS 29.510 scopes are service names; the callback is not a 3GPP service, so it gets a
# name of the PCF's own that no token issued for anything else carries.
BDT_SCOPE = "npcf-bdtpolicycontrol"
NWDAF_CALLBACK_SCOPE = "npcf-bdt-nwdaf-callback"
# Clocks of the NRF and the PCF may differ a little; a token is not refused for that.
LEEWAY_SECONDS = 30
_UUID_URN = re.compile(
    r"^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I
)


class UnusableKey(ValueError):
    """A configured key file is not a PEM public key of a supported type."""


class TokenRefused(Exception):
    """The request may not proceed; ``error`` is the RFC 6750 error code."""

    def __init__(self, status: int, error: str, detail: str, scope: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.scope = scope


@dataclass(frozen=True)
class VerificationKey:
    """An NRF public key and the one algorithm it may sign with."""

    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    algorithm: str
    source: str


def load_key(path: Path) -> VerificationKey:
    """The NRF key in ``path``: an RSA key (RS256) or a P-256 key (ES256)."""
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UnusableKey(f"{path}: not a readable PEM public key ({exc})") from exc
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise UnusableKey(f"{path}: an RSA key of {key.key_size} bits is too short")
        return VerificationKey(key, "RS256", str(path))
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return VerificationKey(key, "ES256", str(path))
    raise UnusableKey(f"{path}: only RSA (RS256) and P-256 (ES256) keys are supported")


@dataclass(frozen=True)
class TokenPolicy:
    """What a token must satisfy: one of ``keys`` signed it, and the claims below."""

    keys: tuple[VerificationKey, ...]
    issuer: str | None = None
    audience: str | None = None

    @classmethod
    def from_files(
        cls, paths: Sequence[Path], issuer: str | None = None, audience: str | None = None
    ) -> TokenPolicy:
        return cls(tuple(load_key(path) for path in paths), issuer, audience)

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token a key of ours signed; ``TokenRefused`` (401) otherwise.

        Each key is tried with its own algorithm only, so a token cannot pick one
        (``alg: none``, or HS256 keyed with a public key, are refused).
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _invalid(f"not a JWT: {exc}") from exc
        candidates = [k for k in self.keys if k.algorithm == header.get("alg")]
        if not candidates:
            raise _invalid(f"tokens signed with {header.get('alg')!r} are not accepted")
        last: jwt.PyJWTError | None = None
        for candidate in candidates:
            try:
                return self._decode(token, candidate)
            except jwt.InvalidSignatureError as exc:
                last = exc  # perhaps another key (rotation)
            except jwt.PyJWTError as exc:
                raise _invalid(str(exc)) from exc
        raise _invalid(f"no trusted key verifies the signature ({last})")

    def _decode(self, token: str, key: VerificationKey) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            issuer=self.issuer,
            audience=self.audience,
            leeway=LEEWAY_SECONDS,
            options={
                "require": ["exp", "sub", "scope"],
                "verify_aud": self.audience is not None,
                "verify_iss": self.issuer is not None,
            },
        )
        return claims

    def consumer(self, authorization: str | None, scope: str) -> str:
        """The NF instance id the request acts for, if its token allows ``scope``."""
        if authorization is None:
            raise _invalid("an access token is required (Authorization: Bearer)")
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise _invalid("the Authorization header must be 'Bearer <access token>'")
        claims = self.claims(token.strip())
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise _invalid("the token's sub is not an NF instance id")
        granted = claims["scope"]
        if not isinstance(granted, str) or scope not in granted.split():
            detail = f"the token's scope does not include {scope!r}"
            raise TokenRefused(403, "insufficient_scope", detail, scope)
        return subject


def _invalid(detail: str) -> TokenRefused:
    return TokenRefused(401, "invalid_token", detail)


def certificate_nf_instance_id(pem: str) -> str | None:
    """The NF instance id of a client certificate: its URI SAN ``urn:uuid:<id>``.

    The NF certificate profile of TS 33.310 puts the NF instance id in the
    subjectAltName as a URI of the form ``urn:uuid:`` (RFC 4122); TS 33.501 clause 13.3
    has the producer check it against the NF it authorizes. None when the certificate has
    no such name.
    """
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return None
    for uri in names.value.get_values_for_type(x509.UniformResourceIdentifier):
        match = _UUID_URN.match(uri)
        if match:
            return match.group(1).lower()
    return None


def peer_certificate(scope: Scope) -> str | None:
    """The client certificate (PEM) of the connection: the ASGI TLS extension's leaf."""
    tls: Mapping[str, Any] | None = scope.get("extensions", {}).get("tls")
    if not tls:
        return None
    chain = tls.get("client_cert_chain") or []
    return str(chain[0]) if chain else None


@dataclass(frozen=True)
class ProtectedPrefix:
    """Requests under ``path`` need a token granting ``scope``."""

    path: str
    scope: str

    def covers(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path + "/")


class AccessControl:
    """ASGI middleware: tokens on the protected prefixes, the consumer into the scope.

    ``tokens`` None: no token is asked for and every request is ``NO_TOKEN_CONSUMER``.
    ``bind_to_certificate``: a token must have been issued to the NF whose client
    certificate the connection presented.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: TokenPolicy | None,
        prefixes: Sequence[ProtectedPrefix],
        bind_to_certificate: bool = False,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.prefixes = tuple(prefixes)
        self.bind_to_certificate = bind_to_certificate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        consumer = NO_TOKEN_CONSUMER
        prefix = next((p for p in self.prefixes if p.covers(scope["path"])), None)
        if self.tokens is not None and prefix is not None:
            try:
                consumer = self._consumer(scope, prefix)
            except TokenRefused as refused:
                await _refusal(refused)(scope, receive, send)
                return
            note = scope.get(NOTE_KEY)
            if isinstance(note, RequestNote):  # for the request's log line
                note.consumer = consumer
        scope = {**scope, CONSUMER_KEY: consumer}
        await self.app(scope, receive, send)

    def _consumer(self, scope: Scope, prefix: ProtectedPrefix) -> str:
        assert self.tokens is not None
        consumer = self.tokens.consumer(Headers(scope=scope).get("authorization"), prefix.scope)
        if self.bind_to_certificate:
            pem = peer_certificate(scope)
            presented = None if pem is None else certificate_nf_instance_id(pem)
            if presented is None:
                raise _invalid("the client certificate names no NF instance id (urn:uuid SAN)")
            if presented != consumer.lower():
                raise _invalid(
                    f"the token was issued to {consumer!r}, the client certificate is"
                    f" {presented!r}'s"
                )
        return consumer


def _refusal(refused: TokenRefused) -> Response:
    """401/403 with RFC 6750's challenge and a ProblemDetails (TS 29.500 5.2.7)."""
    description = refused.detail.replace("\\", "\\\\").replace('"', "'")
    challenge = f'Bearer error="{refused.error}", error_description="{description}"'
    if refused.scope is not None:
        challenge += f', scope="{refused.scope}"'
    document = problem_document(refused.status, refused.error.upper(), detail=refused.detail)
    return Response(
        encode(document),
        refused.status,
        headers={"WWW-Authenticate": challenge},
        media_type=PROBLEM_JSON,
    )
