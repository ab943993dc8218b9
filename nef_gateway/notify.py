"""Delivery of BDT warning notifications to AFs (TS 29.122 ExNotification).

The gateway's outbox is sent by the same reliable sender as the PCF's
(``nf_common.delivery``: leases, retries with backoff and ``Retry-After``, redirects,
dead rows), with the settings of a northbound API: at most ``per_destination`` requests
at a time to one AF (scheme, host, port), so one slow or dead AF cannot take every
connection, nor be flooded; and ``http://`` AFs reached over HTTP/1.1, not h2c, since an
AF's web server speaking h2c with prior knowledge is the exception (``https://`` ones
negotiate HTTP/2 by ALPN).
"""

from __future__ import annotations

from nf_common.delivery import DeliveryPolicy

AF_DELIVERY = DeliveryPolicy(per_destination=4, h2c=False)
