"""A PCF offering Npcf_BDTPolicyControl (3GPP TS 29.554).

Layers, each in its own package:

- ``policy``: the domain model, the commands and the decision logic, with no framework
  imports;
- ``service``: use cases (create, read, update, degradations) over a unit of work, and
  the ports they need from storage;
- ``storage``: those ports on SQLite, with migrations;
- ``wire``: the 3GPP JSON documents and the domain objects, both ways;
- ``api``: the connexion application whose handlers only translate HTTP to service calls;
- ``consumer``: the PCF's requests to other NFs (NRF, NWDAF), behind the service's ports;
- ``bootstrap``: the composition root that builds and wires all of the above, with the
  warning notification sender to NEFs (``nf_common.delivery``, shared with the NEF).
"""

__version__ = "0.1.0"
