"""What the project's network functions share: the PCF, the NEF gateway, the NEF SDK.

Each module is one job, written once and used by every server or sender that needs it;
none imports ``pcf_server``, ``nef_gateway`` or ``nef_client``, so importing any of them
loads no application.

Standard library only (usable by the NEF SDK's notification receiver without the server
extra):

- ``problems``: ProblemDetails documents (TS 29.500 clause 5.2.7), causes, JSON pointers;
- ``asgi``: ASGI type aliases, reading a request body, answering from plain ASGI;
- ``retry_after``: the ``Retry-After`` header, read the same way by clients and senders;
- ``bitrate``: TS 29.571 BitRate strings;
- ``migrations``: numbered SQL migrations of a SQLite store.

Over httpx: ``delivery``, the reliable notification sender over an outbox
(``DeliveryQueue``), one for the PCF's warnings to NEFs and the gateway's to AFs.

Over connexion and starlette (the ``server`` extra): ``responses`` (ProblemDetails
responses and the error handlers every API has), ``validation`` (request bodies checked
with 3GPP causes), ``guard`` (the checks made before routing: resource, method, media
type, size) and ``application`` (adding an API to a connexion application the same way
for every server).
"""
