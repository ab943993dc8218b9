"""pytest plugin of nef_client (entry point ``pytest11``): the ``pcf_stub`` fixture.

One stub PCF process serves the whole session (it takes about a second to start); each
test gets it with an empty store, journal and fault list, so tests stay independent
without paying for a process each.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nef_client.testing import (
    NotificationSink,
    NrfStub,
    PcfStub,
    PcfStubError,
    notification_sink,
    start_nrf_stub,
    start_pcf_stub,
)


@pytest.fixture(scope="session")
def pcf_stub_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcfStub]:
    """The session's stub PCF process; tests should use ``pcf_stub``."""
    try:
        with start_pcf_stub(tmp_path_factory.mktemp("pcf-stub")) as stub:
            yield stub
    except PcfStubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def pcf_stub(pcf_stub_session: PcfStub) -> PcfStub:
    """A real PCF (``pcf-bdt serve --stub``) with a fresh store for this test.

    ``pcf_stub.url`` is the API base URL; ``fail_next``, ``requests``, ``set_capacity``
    and ``degrade`` drive it (see ``nef_client.testing.PcfStub``).
    """
    pcf_stub_session.reset()
    return pcf_stub_session


@pytest.fixture(scope="session")
def nrf_stub() -> Iterator[NrfStub]:
    """A test NRF issuing access tokens (``nrf_stub.credentials(nf_instance_id)``)."""
    with start_nrf_stub() as nrf:
        yield nrf


@pytest.fixture(scope="session")
def pcf_stub_oauth2_session(
    tmp_path_factory: pytest.TempPathFactory, nrf_stub: NrfStub
) -> Iterator[PcfStub]:
    """The session's stub PCF that asks for tokens; tests should use ``pcf_stub_oauth2``."""
    try:
        with start_pcf_stub(tmp_path_factory.mktemp("pcf-stub-oauth2"), nrf=nrf_stub) as stub:
            yield stub
    except PcfStubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def pcf_stub_oauth2(pcf_stub_oauth2_session: PcfStub, nrf_stub: NrfStub) -> PcfStub:
    """As ``pcf_stub``, but every API request needs an access token from ``nrf_stub``.

    ``nef_client.Client(pcf_stub_oauth2.url, auth=nrf_stub.credentials(NF_ID))`` passes;
    a client without credentials, or with a token of another NRF, gets 401.
    """
    pcf_stub_oauth2_session.reset()
    nrf_stub.refuse_with = None
    nrf_stub.forms.clear()
    return pcf_stub_oauth2_session


@pytest.fixture
def nef_notifications() -> Iterator[NotificationSink]:
    """A notification receiver for this test; ``.url`` to give the PCF, ``.wait()``."""
    with notification_sink() as sink:
        yield sink
