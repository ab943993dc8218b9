"""pytest plugin of nef_client (entry point ``pytest11``): ``pcf_stub`` and ``nef_gateway``.

One stub PCF process serves the whole session (it takes about a second to start), and
one NEF gateway process in front of it for the sessions that ask for it; each test gets
them with empty stores, journal and fault list, so tests stay independent without
paying for processes each. NEF teams test against ``pcf_stub`` (N30); AF teams test
against ``nef_gateway`` (the northbound 3gpp-bdt API), with the stub PCF behind it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nef_client.testing import (
    NefGateway,
    NotificationSink,
    NrfStub,
    PcfStub,
    PcfStubError,
    notification_sink,
    start_nef_gateway,
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
    and ``degrade`` drive it (see ``nef_client.testing.PcfStub``). It delivers warnings
    to a notifUri on loopback (``nef_notifications``): the stub allows loopback
    destinations, which a PCF refuses unless its operator allows them.
    """
    pcf_stub_session.reset()
    return pcf_stub_session


@pytest.fixture(scope="session")
def nrf_stub() -> Iterator[NrfStub]:
    """A test NRF issuing access tokens (``nrf_stub.credentials(nf_instance_id)``)."""
    try:
        with start_nrf_stub() as nrf:
            yield nrf
    except PcfStubError as exc:
        pytest.fail(str(exc), pytrace=False)


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
    """A notification receiver for this test; ``.url`` to give the PCF, ``.wait()``.

    Needs the ``receiver`` extra; without it the test fails saying so.
    """
    try:
        with notification_sink() as sink:
            yield sink
    except PcfStubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def nef_gateway_session(
    pcf_stub_session: PcfStub, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NefGateway]:
    """The session's NEF gateway process in front of the stub PCF; use ``nef_gateway``."""
    try:
        with start_nef_gateway(pcf_stub_session.url, tmp_path_factory.mktemp("nef-gw")) as gw:
            yield gw
    except PcfStubError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def nef_gateway(pcf_stub: PcfStub, nef_gateway_session: NefGateway) -> NefGateway:
    """A real NEF (``nef-bdt gateway``) serving 3gpp-bdt, in front of ``pcf_stub``.

    Both have empty stores for this test. ``nef_gateway.url`` is the 3gpp-bdt base URL,
    ``subscriptions_url(scs_as_id)`` an AF's collection, ``outbox()`` the warnings on
    their way to AFs; the PCF behind it is ``pcf_stub`` (faults, journal, ``degrade``).
    """
    nef_gateway_session.reset()
    return nef_gateway_session
