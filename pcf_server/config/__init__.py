"""The operator's YAML configuration of BDT decisions, validated into a ``Network``.

Structure is checked with a JSON Schema (jsonschema, which connexion already brings),
so that a misspelt or misplaced key is refused by name rather than silently ignored;
what a schema cannot say (references between sections, tiers covering the day, an
identifier in two areas) is checked after. Every error names the offending key as a
dotted path, e.g. ``areas.metro.capacity.downlink``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from nf_common.destinations import Destinations, entry_problem
from pcf_server.policy.areas import area_keys
from pcf_server.policy.degradation import CAPACITY_TYPES
from pcf_server.policy.network import (
    DAYS,
    Area,
    DayProfile,
    LoadProfile,
    Network,
    PerformanceThreshold,
    Rates,
    TariffTier,
)
from pcf_server.wire.units import BITRATE_PATTERN, parse_bitrate

__all__ = ["ConfigError", "default_network", "load_network", "network_from_document"]


class ConfigError(ValueError):
    """The configuration is unusable; the message names the key and says why."""


_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_PLMN = {
    "type": "object",
    "required": ["mcc", "mnc"],
    "additionalProperties": False,
    "properties": {
        "mcc": {"type": "string", "pattern": r"^\d{3}$"},
        "mnc": {"type": "string", "pattern": r"^\d{2,3}$"},
    },
}


def _identifier(required: str, pattern: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "string"}
    if pattern:
        value["pattern"] = pattern
    return {
        "type": "object",
        "required": ["plmnId", required],
        "additionalProperties": False,
        "properties": {"plmnId": _PLMN, required: value, "nid": {"type": "string"}},
    }


_RAN_NODE = {
    "type": "object",
    "required": ["plmnId"],
    "additionalProperties": False,
    "minProperties": 2,
    "maxProperties": 3,
    "properties": {
        "plmnId": _PLMN,
        "nid": {"type": "string"},
        "gNbId": {
            "type": "object",
            "required": ["bitLength", "gNBValue"],
            "additionalProperties": False,
            "properties": {
                "bitLength": {"type": "integer", "minimum": 22, "maximum": 32},
                "gNBValue": {"type": "string", "pattern": "^[A-Fa-f0-9]{6,8}$"},
            },
        },
        **{
            kind: {"type": "string", "pattern": "^[A-Fa-f0-9]+$"}
            for kind in ("ngeNbId", "eNbId", "n3IwfId", "wagfId", "tngfId")
        },
    },
}

_DAY = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": _HHMM},
    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["areas", "tariffs", "load_profiles", "default_area"],
    "additionalProperties": False,
    "properties": {
        "timezone": {"type": "string"},
        "slot_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
        "utilisation_ceiling": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "candidates": {"type": "integer", "minimum": 1, "maximum": 20},
        "search_horizon_hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 24 * 31},
        "min_window_minutes": {"type": "number", "exclusiveMinimum": 0},
        "hold_seconds": {"type": "number", "exclusiveMinimum": 0},
        "congestion_penalty": {"type": "number", "minimum": 0},
        "downlink_share": {"type": "number", "minimum": 0, "maximum": 1},
        "longest_degradation_hours": {"type": "number", "exclusiveMinimum": 0},
        "policies_per_consumer": {"type": "integer", "minimum": 1},
        "held_offers_per_consumer": {"type": "integer", "minimum": 1},
        "default_area": {"type": "string"},
        "nwdaf_thresholds": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["type", "relative_ratio"],
                "additionalProperties": False,
                "properties": {
                    # TS 29.520 NetworkPerfType: those the PCF acts on (policy.degradation),
                    # which it reads as ratios only.
                    "type": {"enum": list(CAPACITY_TYPES)},
                    "relative_ratio": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            },
        },
        "nwdaf_check_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
        "nwdaf_refresh_seconds": {"type": "number", "exclusiveMinimum": 0},
        "unanswered_warning_minutes": {"type": "number", "exclusiveMinimum": 0},
        "notification_destinations": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "allow": {"type": "array", "items": {"type": "string"}},
                "refuse": {"type": "array", "items": {"type": "string"}},
                "only_allowed": {"type": "boolean"},
            },
        },
        "tariffs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["from", "to", "rating_group", "price"],
                "additionalProperties": False,
                "properties": {
                    "from": {"type": "string", "pattern": _HHMM},
                    "to": {"type": "string", "pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"},
                    "rating_group": {"type": "integer", "minimum": 0, "maximum": 4294967295},
                    "price": {"type": "number", "minimum": 0},
                },
            },
        },
        "load_profiles": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["default"],
                "additionalProperties": False,
                "properties": {"default": _DAY, **{day: _DAY for day in DAYS}},
            },
        },
        "areas": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[A-Za-z0-9_.-]{1,64}$"},
            "additionalProperties": {
                "type": "object",
                "required": ["capacity", "load_profile"],
                "additionalProperties": False,
                "properties": {
                    "capacity": {
                        "type": "object",
                        "required": ["downlink", "uplink"],
                        "additionalProperties": False,
                        "properties": {
                            "downlink": {"type": "string", "pattern": BITRATE_PATTERN},
                            "uplink": {"type": "string", "pattern": BITRATE_PATTERN},
                        },
                    },
                    "load_profile": {"type": "string"},
                    "tais": {
                        "type": "array",
                        "items": _identifier("tac", "^[A-Fa-f0-9]{4}([A-Fa-f0-9]{2})?$"),
                    },
                    "ncgis": {
                        "type": "array",
                        "items": _identifier("nrCellId", "^[A-Fa-f0-9]{9}$"),
                    },
                    "ecgis": {
                        "type": "array",
                        "items": _identifier("eutraCellId", "^[A-Fa-f0-9]{7}$"),
                    },
                    "ran_nodes": {"type": "array", "items": _RAN_NODE},
                },
            },
        },
    },
}


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _day(steps: dict[str, float], where: str) -> DayProfile:
    ordered = sorted((_minutes(k), float(v)) for k, v in steps.items())
    if ordered[0][0] != 0:
        raise ConfigError(f'{where}: a day profile must start at "00:00"')
    return DayProfile(tuple(ordered))


def _tariffs(doc: list[dict[str, Any]]) -> tuple[TariffTier, ...]:
    tiers = []
    for index, entry in enumerate(doc):
        start, stop = _minutes(entry["from"]), _minutes(entry["to"])
        if stop <= start:
            raise ConfigError(f"tariffs[{index}].to: must be later than 'from'")
        tiers.append(TariffTier(start, stop, entry["rating_group"], float(entry["price"])))
    tiers.sort(key=lambda t: t.start_minute)
    reached = 0
    for tier in tiers:
        if tier.start_minute != reached:
            what = "overlap" if tier.start_minute < reached else "leave a gap"
            raise ConfigError(
                f"tariffs: tiers {what} at {reached // 60:02d}:{reached % 60:02d}; "
                "they must cover 00:00-24:00 exactly once"
            )
        reached = tier.stop_minute
    if reached != 24 * 60:
        raise ConfigError("tariffs: tiers must reach 24:00")
    return tuple(tiers)


def network_from_document(doc: Any) -> Network:
    """Validate a parsed configuration document and build the ``Network`` from it."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError("; ".join(f"{_path(e.absolute_path)}: {e.message}" for e in errors))
    timezone = doc.get("timezone", Network.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"timezone: unknown time zone {timezone!r}") from exc
    profiles = {
        name: LoadProfile(
            _day(days["default"], f"load_profiles.{name}.default"),
            {d: _day(days[d], f"load_profiles.{name}.{d}") for d in DAYS if d in days},
        )
        for name, days in doc["load_profiles"].items()
    }
    areas: dict[str, Area] = {}
    owner: dict[str, str] = {}
    for area_id, spec in doc["areas"].items():
        where = f"areas.{area_id}"
        if spec["load_profile"] not in profiles:
            raise ConfigError(
                f"{where}.load_profile: no load profile {spec['load_profile']!r} "
                f"(defined: {', '.join(sorted(profiles))})"
            )
        info = {
            key: spec[name]
            for name, key in (
                ("tais", "tais"),
                ("ncgis", "ncgis"),
                ("ecgis", "ecgis"),
                ("ran_nodes", "gRanNodeIds"),
            )
            if spec.get(name)
        }
        try:
            keys = area_keys(info)
        except ValueError as exc:  # the schema cannot say "one node identifier"
            raise ConfigError(f"{where}.ran_nodes: {exc}") from exc
        for key in keys:
            if key in owner:
                raise ConfigError(f"{where}: {key} is already in area {owner[key]!r}")
            owner[key] = area_id
        capacity = spec["capacity"]
        areas[area_id] = Area(
            area_id,
            Rates(parse_bitrate(capacity["downlink"]), parse_bitrate(capacity["uplink"])),
            profiles[spec["load_profile"]],
            keys,
            info,
        )
    if doc["default_area"] not in areas:
        raise ConfigError(
            f"default_area: no area {doc['default_area']!r} (defined: {', '.join(sorted(areas))})"
        )
    # Keys left out keep the defaults of Network, the one place they are written.
    knobs: dict[str, Any] = {
        name: convert(doc[key]) for key, (name, convert) in _KNOBS.items() if key in doc
    }
    if 86400 % knobs.get("slot_seconds", Network.slot_seconds):
        raise ConfigError("slot_minutes: must divide a day (e.g. 5, 10, 15, 30, 60)")
    return Network(
        areas=areas,
        tariffs=_tariffs(doc["tariffs"]),
        default_area=doc["default_area"],
        **knobs,
    )


def _threshold(entry: dict[str, Any]) -> PerformanceThreshold:
    return PerformanceThreshold(entry["type"], entry["relative_ratio"])


# Optional keys of the file: the Network field each sets, and how its value converts.
_KNOBS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "timezone": ("timezone", str),
    "slot_minutes": ("slot_seconds", lambda minutes: 60 * int(minutes)),
    "utilisation_ceiling": ("utilisation_ceiling", float),
    "candidates": ("candidates", int),
    "search_horizon_hours": ("search_horizon", lambda hours: timedelta(hours=float(hours))),
    "min_window_minutes": ("min_window", lambda minutes: timedelta(minutes=float(minutes))),
    "hold_seconds": ("hold", lambda seconds: timedelta(seconds=float(seconds))),
    "congestion_penalty": ("congestion_penalty", float),
    "downlink_share": ("downlink_share", float),
    "nwdaf_thresholds": ("nwdaf_thresholds", lambda items: tuple(map(_threshold, items))),
    "nwdaf_check_seconds": ("nwdaf_check", lambda seconds: timedelta(seconds=float(seconds))),
    "nwdaf_refresh_seconds": ("nwdaf_refresh", lambda seconds: timedelta(seconds=float(seconds))),
    "unanswered_warning_minutes": (
        "unanswered_warning",
        lambda minutes: timedelta(minutes=float(minutes)),
    ),
    "longest_degradation_hours": (
        "longest_degradation",
        lambda hours: timedelta(hours=float(hours)),
    ),
    "policies_per_consumer": ("policies_per_consumer", int),
    "held_offers_per_consumer": ("held_offers_per_consumer", int),
    "notification_destinations": (
        "notification_destinations",
        lambda section: _destinations(section),
    ),
}


def _destinations(section: dict[str, Any]) -> Destinations:
    for key in ("allow", "refuse"):
        for index, entry in enumerate(section.get(key, ())):
            try:
                entry_problem(entry)
            except ValueError as exc:
                raise ConfigError(f"notification_destinations.{key}[{index}]: {exc}") from None
    return Destinations(
        allow=tuple(section.get("allow", ())),
        refuse=tuple(section.get("refuse", ())),
        only_allowed=bool(section.get("only_allowed", False)),
    )


# Nodes a configuration may expand to, aliases counted as the copies they stand for. The
# shipped file has about 200; an alias bomb ("billion laughs": each alias repeats the one
# before ten times) has billions, and checking it would never end.
MAX_YAML_NODES = 100_000


class _TooLarge(ValueError):
    """A YAML document that expands to more nodes than any configuration needs."""


def _bounded_yaml(text: str) -> Any:
    """``yaml.safe_load``, refusing documents whose aliases expand past ``MAX_YAML_NODES``.

    The node graph is composed first (an alias is then one shared node, not a copy) and
    its expanded size counted once per distinct node, before anything is built from it.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        sizes: dict[int, int] = {}
        if _expanded_size(root, sizes) > MAX_YAML_NODES:
            raise _TooLarge(
                f"the YAML expands to more than {MAX_YAML_NODES} values through its aliases "
                "(an alias bomb?); write the configuration out"
            )
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes ``root`` stands for once every alias is copied out (memoised)."""
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = min(total, MAX_YAML_NODES + 1)  # no need to count further
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_network(path: Path | None = None) -> Network:
    """Read the configuration file at ``path``, or the default one shipped in the package."""
    if path is None:
        text = resources.files(__name__).joinpath("default.yaml").read_text(encoding="utf-8")
        where = "default configuration"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
        where = str(path)
    try:
        doc = _bounded_yaml(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    except _TooLarge as exc:
        raise ConfigError(f"{where}: {exc}") from None
    try:
        return network_from_document(doc)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def default_network() -> Network:
    return load_network(None)
