"""The one place where tests of the decision rules call the service's Create.

Kept apart so that a change of how the service takes a request (a document, a command)
is one change here, not one per test.
"""

from __future__ import annotations

from typing import Any

from pcf_server.policy.model import BdtPolicy
from pcf_server.service import BdtPolicyControl
from pcf_server.wire.bdt import create_command


def create(service: BdtPolicyControl, document: dict[str, Any]) -> BdtPolicy:
    """Create a policy from a schema-valid BdtReqData document, read as the API reads it."""
    return service.create(create_command(document))
