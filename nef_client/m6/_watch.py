"""Watch BDT policies at a PCF and emit their M6 events: what ``nef-bdt events`` runs.

Each policy is read from the PCF (Get) at start and every ``refresh`` seconds, so that a
selection made elsewhere (``nef-bdt select``) or a removal is seen; warnings arrive at
once through a notification receiver on ``listen`` (give its URL as the policy's
notifUri). The emitter does the rest: an opportunity when a selected window opens, an
error when an advertised window is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager

from npcf_bdt_client.models import Notification
from npcf_bdt_client.types import Unset

from nef_client._async_client import AsyncClient
from nef_client.exceptions import NefClientError, NotFound
from nef_client.m6._emitter import BdtEventEmitter
from nef_client.m6._events import Event, windows


async def refresh(
    client: AsyncClient, sessions: dict[str, str], emitter: BdtEventEmitter
) -> list[str]:
    """Read every watched policy once and feed the emitter; returns problems to report.

    ``sessions`` maps policy id to media delivery session id; a policy the PCF no longer
    has is reported as removed and dropped from it.
    """
    problems = []
    for policy_id, session_id in list(sessions.items()):
        try:
            result = await client.get(policy_id)
        except NotFound:
            emitter.removed(session_id, f"the PCF no longer has policy {policy_id}")
            del sessions[policy_id]
            problems.append(f"policy {policy_id}: not found at the PCF")
        except NefClientError as exc:
            problems.append(f"policy {policy_id}: {exc}")
        else:
            emitter.track(session_id, result)
    return problems


def warning_callback(emitter: BdtEventEmitter) -> Callable[[Notification], None]:
    """A notification receiver's callback that feeds warnings to ``emitter``."""

    def on_warning(notification: Notification) -> None:
        candidates = notification.cand_policies
        emitter.warning(
            notification.bdt_ref_id, () if isinstance(candidates, Unset) else windows(candidates)
        )

    return on_warning


async def watch(
    client: AsyncClient,
    sessions: Mapping[str, str],
    emitter: BdtEventEmitter,
    show: Callable[[Event], None],
    report: Callable[[str], None],
    *,
    refresh_seconds: float = 30.0,
    receiver: Callable[[Callable[[Notification], None]], AbstractContextManager[str]] | None = None,
) -> None:
    """Print (``show``) the events of the watched policies as they happen, until cancelled.

    ``receiver``, when given, runs a notification receiver with the callback it is passed
    for as long as the watch lasts (e.g. ``nef_client.receiver.receiver_in_background``).
    """
    watched = dict(sessions)
    emitter.subscribe(show)
    with contextlib.ExitStack() as stack:
        if receiver is not None:
            stack.enter_context(receiver(warning_callback(emitter)))
        runner = asyncio.ensure_future(emitter.run())
        try:
            while True:
                for problem in await refresh(client, watched, emitter):
                    report(problem)
                if not watched:
                    return
                await asyncio.sleep(refresh_seconds)
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
