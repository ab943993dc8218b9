"""Prism mocks made from the official 3GPP files, for tests (an independent oracle).

``prism mock`` answers every request from the official schema and first checks the
request against it, logging whether it passed; a request the schema does not allow is
answered 4xx and logged as a violation. Prism serves the paths of a file without the
API's base path, which our clients put before them, so each mock runs on a small
document of our own whose paths (the base path of the file's ``servers`` before each
official path) hold the official operations (``mock_document`` says what it leaves
out): every schema and response is the official file's, read from ../shared/3gpp at
test time.

Prism comes from npm (``@stoplight/prism-cli``, pinned below) into ``.prism/`` of the
checkout, which git ignores; ``.ci/run`` installs it there, and a test that finds it
missing installs it once with npm. Without Node.js and npm, or when npm cannot install
it, the tests that need it skip, saying why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tests.server_process import free_port

PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
PRISM_DIR = REPO / ".prism"
_BIN = Path("node_modules") / ".bin" / "prism"
_RECEIVED = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received")


def prism_binary() -> Path:
    """The prism executable, installed into .prism/ when missing; skip when impossible."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Prism needs Node.js and npm (Debian: apt-get install nodejs npm)")
    binary = PRISM_DIR / _BIN
    if not binary.exists():
        command = ["npm", "install", "--prefix", str(PRISM_DIR), "--no-save", "--no-audit"]
        command += ["--no-fund", "--loglevel=error", PRISM_PACKAGE]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not binary.exists():
            pytest.skip(f"npm could not install {PRISM_PACKAGE}: {done.stderr.strip()[-300:]}")
    return binary


def _anchored(node: Any, official: Path) -> Any:
    """``node`` with every $ref made absolute: into ``official``, or the file it names."""
    if isinstance(node, dict):
        anchored = {key: _anchored(value, official) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, _, pointer = ref.partition("#")
            anchored["$ref"] = f"{official.parent / target if target else official}#{pointer}"
        return anchored
    if isinstance(node, list):
        return [_anchored(item, official) for item in node]
    return node


def mock_document(files: Sequence[Path], out: Path) -> Path:
    """Our document serving the official files' operations under their base paths.

    Each operation is the official one, its schemas and responses referred to in the
    official files, without its ``callbacks``: Prism would otherwise post a notification
    generated from the schema to the callback URI before answering a subscription, which
    takes it tens of seconds for Nnwdaf's (and says nothing of the PCF's requests).
    """
    paths = {}
    for official in files:
        document = yaml.safe_load(official.read_text(encoding="utf-8"))
        # No servers (Nnrf_AccessToken's /oauth2/token): the paths are under the apiRoot.
        servers = document.get("servers") or [{"url": "{apiRoot}"}]
        base_path = servers[0]["url"].replace("{apiRoot}", "")
        for path, item in document["paths"].items():
            item = {key: value for key, value in item.items() if key != "callbacks"}
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("callbacks", None)
            paths[base_path + path] = _anchored(item, official)
    wrapper = {"openapi": "3.0.0", "info": {"title": "mock", "version": "1"}, "paths": paths}
    out.write_text(yaml.safe_dump(wrapper), encoding="utf-8")
    return out


@dataclass(frozen=True)
class Checked:
    """One request Prism received, and whether the official schema allowed it."""

    method: str
    path: str
    passed: bool


@dataclass
class PrismMock:
    url: str
    log: Path

    def requests(self) -> list[Checked]:
        """Every request received, in order, with its validation outcome."""
        found: list[Checked] = []
        current: tuple[str, str] | None = None
        for line in self.log.read_text(errors="replace").splitlines():
            received = _RECEIVED.search(line)
            if received:
                current = (received.group(1).upper(), received.group(2))
            elif current and "The request passed the validation rules" in line:
                found.append(Checked(*current, True))
                current = None
            elif current and "Request did not pass the validation rules" in line:
                found.append(Checked(*current, False))
                current = None
        return found

    def violations(self) -> list[str]:
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if "Violation: request" in line]  # fmt: skip


@contextmanager
def prism_mock(
    files: Sequence[Path], workdir: Path, name: str, options: Sequence[str] = ()
) -> Iterator[PrismMock]:
    """Run ``prism mock`` (with ``options``, e.g. ``--dynamic``) on the files' operations."""
    binary = prism_binary()
    spec = mock_document(files, workdir / f"{name}.yaml")
    port = free_port()
    log = workdir / f"{name}-prism.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary), "mock", *options, "-h", "127.0.0.1", "-p", str(port), str(spec)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "Prism is listening" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prism did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield PrismMock(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
