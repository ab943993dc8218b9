"""The PCF as a consumer of other NFs' services (free5GC's ``consumer`` layer).

``nrf``: Nnrf_NFManagement (registration, heartbeat, deregistration); ``nwdaf``:
Nnwdaf_EventsSubscription (the analytics subscriptions of ``service.analytics``). The
composition root (``pcf_server.bootstrap``) builds them and runs them in the one process
of an instance that is not a server worker; the use cases reach them only through ports.
"""
