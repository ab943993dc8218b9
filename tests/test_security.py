"""Issue 8, identity: who may call the PCF, tried as a hostile peer would.

Each ``test_attack_*`` is an attack that worked on the PCF before access control (the
issue lists them); the others pin the rules they rely on. Real server processes: the
PCF with NRF tokens (ES256 from an NrfStub, and an RSA key for rotation), with mutual
TLS, and the stub.
"""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import nef_client
from nef_client.testing import NrfStub, PcfStub, redacted, start_nrf_stub
from pcf_server.api.access import BDT_SCOPE, NWDAF_CALLBACK_SCOPE
from tests.dates import SATURDAY, future_day, window
from tests.pki import Pki, make_pki
from tests.server_process import PcfProcess, free_port, free_ports, running_pcf

NEF_A = "6f1c7d2e-0000-4000-8000-00000000000a"
NEF_B = "6f1c7d2e-0000-4000-8000-00000000000b"
NWDAF = "6f1c7d2e-0000-4000-8000-0000000000dd"
SUBSCRIPTION = "nwdaf-sub-1"
START = future_day(SATURDAY) + timedelta(hours=1)
PROBLEM = "application/problem+json"
# Degradations are listed by the operator API within its search horizon (48 h).
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


def bdt_request(asp: str = "asp", **changes: Any) -> dict[str, Any]:
    return {
        "aspId": asp,
        "desTimeInt": window(START, START + timedelta(hours=6)),
        "numOfUes": 10,
        "volPerUe": {"downlinkVolume": 1_000_000},
        "suppFeat": "1",
        "notifUri": "http://nef.example/bdt",
        "warnNotifReq": True,
        **changes,
    }


class Nrf:
    """The NRF's keys: the NrfStub's ES256 key, and an RSA key (rotation)."""

    def __init__(self, nrf: NrfStub) -> None:
        self.stub = nrf
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, sub: str = NEF_A, scope: str = BDT_SCOPE, **claims: Any) -> str:
        return self.stub.issue(sub, scope, **claims)

    def rsa_token(self, sub: str = NEF_A, scope: str = BDT_SCOPE) -> str:
        now = int(time.time())
        claims = {"iss": self.stub.issuer, "sub": sub, "aud": "PCF", "scope": scope,
                  "exp": now + 600}  # fmt: skip
        return jwt.encode(claims, self.rsa, algorithm="RS256")

    def write_keys(self, folder: Path) -> list[str]:
        es, rs = folder / "nrf-es256.pem", folder / "nrf-rs256.pem"
        es.write_bytes(self.stub.public_key_pem)
        rs.write_bytes(
            self.rsa.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return ["--oauth2-key", str(es), "--oauth2-key", str(rs)]


@pytest.fixture(scope="module")
def nrf() -> Iterator[Nrf]:
    with start_nrf_stub() as stub:
        yield Nrf(stub)


@pytest.fixture(scope="module")
def pcf(tmp_path_factory: pytest.TempPathFactory, nrf: Nrf) -> Iterator[tuple[str, PcfProcess]]:
    folder = tmp_path_factory.mktemp("secured")
    args = [*nrf.write_keys(folder), "--oauth2-issuer", nrf.stub.issuer,
            "--oauth2-audience", "PCF", "--nwdaf-subscription", SUBSCRIPTION]  # fmt: skip
    with running_pcf(folder / "pcf.db", extra_args=args) as running:
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith(f'Bearer error="{error}"'), challenge
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["cause"] == error.upper()
    return problem


# -- 1. access tokens ------------------------------------------------------------------


def test_attack_a_garbage_bearer_token_is_refused(pcf: tuple[str, PcfProcess]) -> None:
    url, _ = pcf
    for headers in ({}, bearer("garbage.garbage.garbage"), {"Authorization": "Basic YTpi"}):
        refused(httpx.get(f"{url}/bdtpolicies/x", headers=headers), 401, "invalid_token")
        created = httpx.post(f"{url}/bdtpolicies", json=bdt_request(), headers=headers)
        refused(created, 401, "invalid_token")


def test_a_token_of_the_nrf_opens_the_api_and_rotation_keys_count(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    for token in (nrf.token(), nrf.rsa_token()):
        assert httpx.get(f"{url}/bdtpolicies/x", headers=bearer(token)).status_code == 404


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": -120},  # expired, beyond the leeway
        {"nbf": 3600},  # not yet valid
        {"iss": "another-nrf"},
        {"aud": "SMF"},
        {"sub": None},
        {"scope": None},
    ],
    ids=["expired", "not-yet-valid", "issuer", "audience", "no-sub", "no-scope"],
)
def test_claims_are_checked(pcf: tuple[str, PcfProcess], nrf: Nrf, claims: dict[str, Any]) -> None:
    url, _ = pcf
    now = int(time.time())
    changed = {
        name: (now + value if name in ("exp", "nbf") else value) for name, value in claims.items()
    }
    document = jwt.decode(nrf.token(), options={"verify_signature": False})
    document.update(changed)
    document = {k: v for k, v in document.items() if v is not None}
    token = jwt.encode(document, nrf.stub._key, algorithm="ES256")
    refused(httpx.get(f"{url}/bdtpolicies/x", headers=bearer(token)), 401, "invalid_token")


def test_a_small_clock_difference_is_tolerated(pcf: tuple[str, PcfProcess], nrf: Nrf) -> None:
    url, _ = pcf
    token = nrf.token(exp=int(time.time()) - 5)  # expired 5 s ago: within the leeway
    assert httpx.get(f"{url}/bdtpolicies/x", headers=bearer(token)).status_code == 404


def test_signatures_of_other_keys_and_algorithms_are_refused(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    claims = jwt.decode(nrf.token(), options={"verify_signature": False})
    forged = [
        NrfStub(issuer=nrf.stub.issuer).issue(NEF_A),  # another key, same claims
        jwt.encode(claims, None, algorithm="none"),  # unsigned
        # HS256 "signed" with the NRF's public key as the secret (algorithm confusion)
        jwt.encode(claims, b"x" * 32, algorithm="HS256"),
    ]
    for token in forged:
        refused(httpx.get(f"{url}/bdtpolicies/x", headers=bearer(token)), 401, "invalid_token")


def test_a_token_for_another_service_is_403_insufficient_scope(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    token = nrf.token(scope="nsmf-pdusession npcf-smpolicycontrol")
    problem = refused(
        httpx.get(f"{url}/bdtpolicies/x", headers=bearer(token)), 403, "insufficient_scope"
    )
    assert BDT_SCOPE in problem["detail"]


def test_the_log_says_once_whether_tokens_are_asked_and_has_no_connexion_noise(
    pcf: tuple[str, PcfProcess], tmp_path: Path
) -> None:
    secured_log = Path(pcf[1].args[pcf[1].args.index("--db") + 1]).with_suffix(".log")
    with running_pcf(tmp_path / "open.db") as (url, _):
        assert httpx.get(f"{url}/bdtpolicies/x").status_code == 404  # as before: open
    open_log = (tmp_path / "open.log").read_text()
    assert open_log.count("no --oauth2-key") == 1
    assert "no --oauth2-key" not in secured_log.read_text()
    for log in (open_log, secured_log.read_text()):
        assert "x-tokenInfoFunc" not in log


# -- 2. per-consumer policies ----------------------------------------------------------


def test_attack_another_consumer_cannot_read_switch_or_remove_a_policy(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    a, b = bearer(nrf.token(NEF_A)), bearer(nrf.token(NEF_B))
    created = httpx.post(f"{url}/bdtpolicies", json=bdt_request("asp-own"), headers=a)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    merge = {"content-type": "application/merge-patch+json"}
    nothing = httpx.get(f"{url}/bdtpolicies/no-such-policy", headers=b).json()
    attempts = [
        httpx.get(location, headers=b),
        httpx.patch(location, json={"bdtPolData": {"selTransPolicyId": 0}}, headers=b | merge),
        httpx.patch(location, json={"bdtReqData": {"warnNotifReq": False}}, headers=b | merge),
    ]
    for attempt in attempts:
        assert attempt.status_code == 404, attempt.text
        problem = attempt.json()
        assert problem["cause"] == "BDT_POLICY_NOT_FOUND"  # as for an id nobody holds
        assert {k: v for k, v in problem.items() if k != "detail"} == {
            k: v for k, v in nothing.items() if k != "detail"
        }
    own = httpx.get(location, headers=a)
    assert own.status_code == 200
    assert own.json()["bdtReqData"]["warnNotifReq"] is True  # not switched off, not removed


def test_attack_a_replayed_create_of_another_consumer_does_not_leak_its_location(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    body = bdt_request("asp-replayed")
    a, b = bearer(nrf.token(NEF_A)), bearer(nrf.token(NEF_B))
    first = httpx.post(f"{url}/bdtpolicies", json=body, headers=a)
    assert first.status_code == 201
    again = httpx.post(f"{url}/bdtpolicies", json=body, headers=a)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    replayed = httpx.post(f"{url}/bdtpolicies", json=body, headers=b)
    assert replayed.status_code == 201  # B's own policy
    assert replayed.headers["location"] != first.headers["location"]


# -- 4. the operator listener and the NWDAF endpoint --------------------------------------


def nwdaf_report(subscription: str, factor_percent: int = 1) -> list[dict[str, Any]]:
    return [{"subscriptionId": subscription, "eventNotifications": [{
        "event": "NETWORK_PERFORMANCE",
        "nwPerfs": [{"networkArea": {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"},
                                               "tac": "0001"}]},
                     "nwPerfType": "GNB_ACTIVE_RATIO", "relativeRatio": factor_percent,
                     "anaPeriod": window(SOON, SOON + timedelta(hours=2))}]}]}]  # fmt: skip


def degradations(pcf: tuple[str, PcfProcess]) -> list[Any]:
    areas = httpx.get(f"{pcf[1].admin_root}/pcf-bdt-admin/v1/areas").json()
    return [d for area in areas for d in area.get("degradations", [])]


def test_attack_the_operator_api_is_not_on_the_3gpp_port(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, process = pcf
    sbi_root = url.split("/npcf-")[0]
    body = {"areaId": "metro", "factor": 0,
            "timeWindow": window(START, START + timedelta(hours=1))}  # fmt: skip
    for headers in ({}, bearer(nrf.token())):
        attack = httpx.post(f"{sbi_root}/pcf-bdt-admin/v1/degradations", json=body, headers=headers)
        assert attack.status_code == 404
        assert attack.json()["cause"] == "RESOURCE_URI_STRUCTURE_NOT_FOUND"
    assert degradations(pcf) == []
    assert process.admin_root.startswith("http://127.0.0.1:")  # loopback, its own port


def test_attack_a_forged_nwdaf_notification_is_refused(
    pcf: tuple[str, PcfProcess], nrf: Nrf
) -> None:
    url, _ = pcf
    endpoint = url.split("/npcf-")[0] + "/pcf-bdt-callbacks/v1/nwdaf-notifications"
    refused(httpx.post(endpoint, json=nwdaf_report(SUBSCRIPTION)), 401, "invalid_token")
    nef_token = bearer(nrf.token(NEF_A))  # a NEF's token is not an NWDAF's
    refused(
        httpx.post(endpoint, json=nwdaf_report(SUBSCRIPTION), headers=nef_token),
        403,
        "insufficient_scope",
    )
    nwdaf_token = bearer(nrf.token(NWDAF, NWDAF_CALLBACK_SCOPE))
    # Both lists known and unknown: refused whole, nothing applied.
    unknown = nwdaf_report("made-up") + nwdaf_report(SUBSCRIPTION)
    stray = httpx.post(endpoint, json=unknown, headers=nwdaf_token)
    assert stray.status_code == 404 and stray.json()["cause"] == "SUBSCRIPTION_NOT_FOUND"
    assert degradations(pcf) == []
    known = httpx.post(endpoint, json=nwdaf_report(SUBSCRIPTION, 50), headers=nwdaf_token)
    assert known.status_code == 204, known.text
    assert [d["factor"] for d in degradations(pcf)] == [0.5]


def test_the_degrade_command_talks_to_the_operator_listener(tmp_path: Path) -> None:
    with running_pcf(tmp_path / "pcf.db") as (url, process):
        interval = window(START, START + timedelta(hours=1))
        command = [sys.executable, "-m", "pcf_server", "degrade", "--area", "metro",
                   "--from", interval["startTime"], "--to", interval["stopTime"],
                   "--factor", "0.5"]  # fmt: skip
        to_sbi = subprocess.run(
            [*command, "--pcf", url.split("/npcf-")[0]], capture_output=True, text=True, check=False
        )
        assert to_sbi.returncode == 1  # 404: not there
        to_admin = subprocess.run(
            [*command, "--url", process.admin_root], capture_output=True, text=True, check=False
        )
        assert to_admin.returncode == 0, to_admin.stderr


# -- 10. the stub ------------------------------------------------------------------------


def test_attack_the_stub_does_not_listen_beyond_loopback_unless_forced(tmp_path: Path) -> None:
    port, admin = free_ports(2)
    command = [sys.executable, "-m", "pcf_server", "serve", "--stub", "--db",
               str(tmp_path / "s.db"), "--port", str(port)]  # fmt: skip
    for more in (["--host", "0.0.0.0"], ["--admin-listen", f"0.0.0.0:{admin}"]):
        started = subprocess.run([*command, *more], capture_output=True, text=True, timeout=60)
        assert started.returncode == 2
        assert (
            started.stderr.strip().splitlines()[-1].startswith("pcf-bdt: error: --stub on 0.0.0.0")
        )
        assert "Traceback" not in started.stderr


def test_attack_the_stub_journal_shows_no_token_and_reset_is_not_on_the_3gpp_port(
    pcf_stub: PcfStub,
) -> None:
    secret = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0.c2ln"
    httpx.get(f"{pcf_stub.url}/bdtpolicies/x", headers=bearer(secret))
    (entry,) = pcf_stub.requests()
    assert entry.headers["authorization"] == redacted(secret)
    assert secret not in str(entry)
    wipe = httpx.post(f"{pcf_stub.root}/pcf-bdt-admin/v1/reset")
    assert wipe.status_code == 404
    assert len(pcf_stub.requests()) == 1  # the journal was not wiped


def test_the_stub_reads_no_more_than_the_body_limit(pcf_stub: PcfStub) -> None:
    big = b'{"aspId": "' + b"a" * (2 * 2**20) + b'"}'  # over the default 1 MiB
    answer = httpx.post(
        f"{pcf_stub.url}/bdtpolicies", content=big, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    (entry,) = pcf_stub.requests()
    assert (entry.status, entry.body) == (413, None)  # not read into the journal


# -- 11. the NEF side ---------------------------------------------------------------------


def test_nef_client_with_nrf_credentials_against_a_pcf_asking_for_tokens(
    pcf_stub_oauth2: PcfStub, nrf_stub: NrfStub
) -> None:
    window_ = (START, START + timedelta(hours=6))
    with nef_client.Client(pcf_stub_oauth2.url, auth=nrf_stub.credentials(NEF_A)) as nef:
        offer = nef.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=window_)
        assert nef.get(offer.policy_id).policy_id == offer.policy_id
    assert [form["nfInstanceId"] for form in nrf_stub.forms] == [NEF_A]
    anonymous = nef_client.Client(pcf_stub_oauth2.url, retry=nef_client.NO_RETRY)
    with anonymous, pytest.raises(nef_client.Unauthorized):
        anonymous.get(offer.policy_id)
    other = nef_client.Client(pcf_stub_oauth2.url, auth=nrf_stub.credentials(NEF_B))
    with other, pytest.raises(nef_client.NotFound):
        other.get(offer.policy_id)


# -- 3. mutual TLS -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def mtls_pcf(
    tmp_path_factory: pytest.TempPathFactory, pki: Pki, nrf: Nrf
) -> Iterator[tuple[str, PcfProcess]]:
    folder = tmp_path_factory.mktemp("mtls")
    certificate, key = pki.server
    client = ssl.create_default_context(cafile=str(pki.ca_pem))
    probe_cert = pki.nf_certificate("probe", f"urn:uuid:{NEF_A}")
    client.load_cert_chain(*map(str, probe_cert))
    args = ["--tls-cert", str(certificate), "--tls-key", str(key),
            "--tls-client-ca", str(pki.ca_pem), *nrf.write_keys(folder)]  # fmt: skip
    with running_pcf(folder / "pcf.db", extra_args=args, scheme="https", verify=client) as running:
        yield running


def tls_client(pki: Pki, certificate: tuple[Path, Path] | None) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(pki.ca_pem))
    if certificate is not None:
        context.load_cert_chain(*map(str, certificate))
    return httpx.Client(http2=True, verify=context, timeout=10)


def test_mutual_tls_binds_the_token_to_the_certificates_nf(
    mtls_pcf: tuple[str, PcfProcess], pki: Pki, nrf: Nrf
) -> None:
    url, _ = mtls_pcf
    nef_a = pki.nf_certificate("nef-a", f"urn:uuid:{NEF_A}")
    with tls_client(pki, nef_a) as client:
        own = client.post(f"{url}/bdtpolicies", json=bdt_request(), headers=bearer(nrf.token()))
        assert own.status_code == 201, own.text
        assert own.http_version == "HTTP/2"
        # B's token, stolen and replayed over A's connection (or A's cert with B's token).
        stolen = client.get(f"{url}/bdtpolicies/x", headers=bearer(nrf.token(NEF_B)))
        problem = refused(stolen, 401, "invalid_token")
        assert NEF_B in problem["detail"] and NEF_A in problem["detail"]
    unnamed = pki.nf_certificate("unnamed", None)  # a certificate without an NF instance id
    with tls_client(pki, unnamed) as client:
        refused(
            client.get(f"{url}/bdtpolicies/x", headers=bearer(nrf.token())), 401, "invalid_token"
        )


def test_mutual_tls_refuses_a_connection_without_a_client_certificate(
    mtls_pcf: tuple[str, PcfProcess], pki: Pki, nrf: Nrf
) -> None:
    url, _ = mtls_pcf
    with tls_client(pki, None) as client, pytest.raises(httpx.TransportError):
        client.get(f"{url}/bdtpolicies/x", headers=bearer(nrf.token()))


def test_nef_client_with_a_client_certificate_and_nrf_credentials(
    mtls_pcf: tuple[str, PcfProcess], pki: Pki, nrf: Nrf
) -> None:
    url, _ = mtls_pcf
    nef_b = pki.nf_certificate("nef-b", f"urn:uuid:{NEF_B}")
    window_ = (START, START + timedelta(hours=6))
    nef = nef_client.Client(
        url.split("/npcf-")[0],
        ca_bundle=pki.ca_pem,
        client_cert=nef_b,
        auth=nrf.stub.credentials(NEF_B),
    )
    with nef:
        offer = nef.create("asp-b", volume_per_ue=1, number_of_ues=1, desired_window=window_)
        assert nef.get(offer.policy_id).policy_id == offer.policy_id


def test_command_line_mistakes_are_one_line(tmp_path: Path) -> None:
    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("not a key")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    small_key = tmp_path / "small.pem"
    small_key.write_bytes(
        small.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    serve = [sys.executable, "-m", "pcf_server", "serve", "--db", str(tmp_path / "x.db"),
             "--port", str(free_port())]  # fmt: skip
    cases = {
        "not a readable PEM public key": ["--oauth2-key", str(not_a_key)],
        "too short": ["--oauth2-key", str(small_key)],
        "need --oauth2-key": ["--oauth2-issuer", "nrf"],
        "--tls-client-ca needs --tls-cert": ["--tls-client-ca", str(not_a_key)],
        "must be another port": ["--port", "18080", "--admin-listen", "127.0.0.1:18080"],
    }
    for expected, more in cases.items():
        started = subprocess.run([*serve, *more], capture_output=True, text=True, timeout=60)
        assert started.returncode == 2, (more, started.stderr)
        last = started.stderr.strip().splitlines()[-1]
        assert last.startswith("pcf-bdt") and expected in last, last
        assert "Traceback" not in started.stderr
