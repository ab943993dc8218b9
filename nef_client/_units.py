"""Human units for the command line (shared with ``pcf-bdt``: ``nf_common.units``)."""

from nf_common.units import parse_duration, parse_time, parse_volume

__all__ = ["parse_duration", "parse_time", "parse_volume"]
