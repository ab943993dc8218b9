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

import warnings

__version__ = "0.1.0"

# connexion 3.3 imports starlette's test client when it is imported, and starlette warns
# there (StarletteDeprecationWarning) that the test client's use of httpx is deprecated:
# about a test helper the PCF never uses, printed by every server process at start. This
# package is imported before connexion in each of them; only that message is ignored.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
