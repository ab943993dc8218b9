"""A PCF offering Npcf_BDTPolicyControl (3GPP TS 29.554).

Layers, each in its own package:

- ``policy``: the domain model and the decision logic, with no framework imports;
- ``service``: use cases (create, read, update) over a unit of work;
- ``storage``: the repository and unit of work on SQLite, with migrations;
- ``api``: the connexion application whose handlers only translate HTTP to service calls.
"""

__version__ = "0.1.0"
