"""A NEF's northbound BDT API (TS 29.122 3gpp-bdt) in front of a PCF (TS 29.554, N30).

An AF negotiates background data transfers with the gateway as with any NEF; the gateway
carries each subscription out as an Individual BDT policy at the PCF through
``nef_client``, keeps its own durable store, and forwards the PCF's warnings to the AF.
Layers, each in its own module:

- ``domain``: the subscription model and the attribute-by-attribute translation between
  the two APIs, with no framework imports;
- ``service``: use cases (create, read, select, delete, PCF warnings) over a unit of work
  and the PCF hop (``pcf``);
- ``storage``: the SQLite store with numbered migrations; ``notify``: delivery to AFs;
- ``api``: the connexion application with thin handlers; ``composition``: assembly.

Run it with ``nef-bdt gateway --pcf URL``; it needs the ``server`` and ``receiver`` extras.
"""
