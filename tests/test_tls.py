"""HTTPS with HTTP/2 negotiated by ALPN (TS 29.500 clause 5.3), with a throwaway CA."""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import trustme

from tests.dates import WEDNESDAY, future_day, window
from tests.server_process import running_pcf

DAY = future_day(WEDNESDAY)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[trustme.CA, Path, Path]:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    cert, key = tmp_path / "pcf.pem", tmp_path / "pcf.key"
    leaf.private_key_pem.write_to_path(str(key))
    with cert.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    return ca, cert, key


def test_tls_serves_http2_by_alpn(tmp_path: Path, certificate: tuple[trustme.CA, Path, Path]):
    ca, cert, key = certificate
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    args = ["--tls-cert", str(cert), "--tls-key", str(key)]
    with running_pcf(tmp_path / "pcf.db", extra_args=args, scheme="https", verify=trusted) as (
        url,
        _,
    ):
        assert url.startswith("https://")
        with httpx.Client(http2=True, verify=trusted) as client:
            created = client.post(
                f"{url}/bdtpolicies",
                json={
                    "aspId": "tls",
                    "desTimeInt": window(DAY, DAY + timedelta(hours=1)),
                    "numOfUes": 1,
                    "volPerUe": {"totalVolume": 1},
                },
            )
            assert created.http_version == "HTTP/2"
            assert created.status_code == 201
            assert created.headers["location"].startswith(url + "/bdtpolicies/")
        with httpx.Client(http2=False, verify=trusted) as client:
            assert client.get(f"{url}/bdtpolicies/x").http_version == "HTTP/1.1"
        # A client that does not trust the test CA is refused: the certificate is real TLS.
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/bdtpolicies/x")


def test_tls_options_go_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pcf_server.cli import main

    assert main(["serve", "--db", str(tmp_path / "x.db"), "--tls-cert", "c.pem"]) == 2
    assert capsys.readouterr().err == "pcf-bdt: error: --tls-cert and --tls-key go together\n"
