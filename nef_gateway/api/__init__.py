"""The HTTP layer: 3gpp-bdt routed by connexion from the bundled spec, thin handlers."""
