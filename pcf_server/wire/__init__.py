"""The 3GPP JSON representation of the domain objects, both ways, with no framework in it.

One module per concern:

- ``errors``: ``DocumentError``, a document that passed its schema but is still unusable;
- ``units``: TS 29.571 BitRate and DateTime strings, and TimeWindow documents;
- ``bdt``: the documents of Npcf_BDTPolicyControl (TS 29.554 Annex A): BdtReqData in,
  BdtPolicy and the warning Notification out; the store keeps policies in this shape too,
  as the UDR keeps BDT data;
- ``updates``: the Update (merge-patch) bodies of every release;
- ``nwdaf``: NETWORK_PERFORMANCE reports in Nnwdaf_EventsSubscription notifications.

Validation happens once, where a document comes in (``bdt.create_command``,
``updates.update_from_document``, ``nwdaf.network_performance_from_notifications``);
the mappings the store uses (``bdt.policy_from_documents``) trust what they read.
"""

from pcf_server.wire.bdt import (
    create_command,
    notification_document,
    policy_data_to_document,
    policy_from_documents,
    policy_to_document,
    request_from_document,
    transfer_policy_from_document,
    transfer_policy_to_document,
)
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.nwdaf import network_performance_from_notifications
from pcf_server.wire.units import (
    format_bitrate,
    format_datetime,
    parse_bitrate,
    parse_datetime,
    read_datetime,
    read_window,
    window_from_document,
    window_to_document,
)
from pcf_server.wire.updates import update_from_document

__all__ = [
    "DocumentError",
    "create_command",
    "format_bitrate",
    "format_datetime",
    "network_performance_from_notifications",
    "notification_document",
    "parse_bitrate",
    "parse_datetime",
    "policy_data_to_document",
    "policy_from_documents",
    "policy_to_document",
    "read_datetime",
    "read_window",
    "request_from_document",
    "transfer_policy_from_document",
    "transfer_policy_to_document",
    "update_from_document",
    "window_from_document",
    "window_to_document",
]
