"""The spec file: one YAML document per system, loaded safely into frozen, typed models.

``load_spec("reference")`` or ``load_spec("my-system.yaml", {"users": "1 billion"})``
returns a validated ``Spec``; anything wrong raises ``SpecError`` naming the file, the
field path (``scale.peak_factor``) and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import re
import typing
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, Field, PrivateAttr, TypeAdapter, ValidationError,
                      model_validator)

from . import limits as lim
from . import quantities as q
from . import ranges as rg
from .fields import (Copies, Count, Days, Dollars, ExtraReads, Factor, Line, Model, PerSecond, Rate, Ratio,
                     Replicas, Seconds, Shards, Share, Size, Text, _FieldError)
from .prose import (DEFAULT_QUESTIONS, DEFAULT_RED_FLAGS, AccessPattern, Bottleneck, Concept,  # noqa: F401
                    CoreComponent, DataModel, Decision, DecisionOption, FollowUp, Functional, InterviewContext,
                    InterviewTips, KeyPhrase, NonFunctional, Option, QA, Reference, Requirements, Takeaways,
                    TradeOff, WhyNot)
from ..errors import SpecError
from .kinds import COMPONENT_KINDS, holds_data
from .prices import CLASS_FAMILY, MESSAGE_KINDS, PRICED_AS, STORAGE_CLASSES
from .source import example_names, read_raw, resolve


DEFAULT_PEAK_FACTOR = 2.0       # peak = 2x average, the usual interview assumption
DEFAULT_CACHE_FRACTION = 0.2    # cache the hottest 20% of a day's reads (80/20 rule)
DEFAULT_SERVER_QPS = 1000.0     # one stateless app server, a common rule of thumb
DEFAULT_REPLICATION_FACTOR = 3  # three copies, as in HDFS, Cassandra, S3-style stores
DEFAULT_AVAILABILITY = 0.999    # one replica of a component, when a spec does not say




# --- scale ----------------------------------------------------------------------------

class Scale(Model):
    """The numbers a capacity estimate starts from (per-user form or totals form)."""

    users: Count | None = None
    daily_active_users: Count | None = None
    daily_active_fraction: Share | None = None
    requests_per_user_per_day: Count | None = None
    read_write_ratio: Ratio | None = None
    reads_per_user_per_day: ExtraReads | None = None
    reads: Rate | None = None
    writes: Rate | None = None
    peak_factor: Factor = DEFAULT_PEAK_FACTOR
    record_size: Size
    retention: Days
    response_size: Size | None = None
    cache_fraction: Share = DEFAULT_CACHE_FRACTION
    server_qps: PerSecond = DEFAULT_SERVER_QPS
    replication_factor: Copies = DEFAULT_REPLICATION_FACTOR
    _ranges: tuple = PrivateAttr(default=())

    @property
    def ranges(self) -> tuple[rg.InputRange, ...]:
        """The inputs the spec gives as ranges (their fields hold the likely values); () when none."""
        return self._ranges

    def with_ranges(self, found) -> Scale:
        """A copy of this scale carrying ``found`` ranges (validation attaches them after the split)."""
        return self.model_copy(update={"_ranges": tuple(found)})   # model_copy sets private attributes too

    @model_validator(mode="after")
    def _one_form(self):
        per_user = {"daily_active_users", "daily_active_fraction", "requests_per_user_per_day",
                    "read_write_ratio", "reads_per_user_per_day"}
        given = {name for name in per_user if getattr(self, name) is not None}
        totals = self.reads is not None or self.writes is not None
        if totals and given:
            raise ValueError(f"give either totals (reads, writes) or per-user inputs "
                             f"({', '.join(sorted(given))}), not both")
        if totals:
            if self.reads is None or self.writes is None:
                missing = "reads" if self.reads is None else "writes"
                raise ValueError(f"the totals form needs both reads and writes; {missing} is missing")
            if self.reads + self.writes == 0:
                raise ValueError("reads and writes are both zero: expected some traffic")
            return self._within_limits()
        missing = []
        if self.users is None:
            missing.append("users")
        if self.daily_active_users is None and self.daily_active_fraction is None:
            missing.append("daily_active_users (or daily_active_fraction)")
        if self.requests_per_user_per_day is None:
            missing.append("requests_per_user_per_day")
        if self.read_write_ratio is None:
            missing.append("read_write_ratio")
        if missing:
            raise ValueError("missing scale inputs: expected " + ", ".join(missing)
                             + " (per-user form) or reads and writes (totals form)")
        if self.daily_active_users is not None and self.daily_active_fraction is not None:
            raise ValueError("give daily_active_users or daily_active_fraction, not both")
        if self.daily_active_users is not None and self.daily_active_users > self.users:
            raise _FieldError("daily_active_users",
                              f"expected at most users ({q.say_count(self.users)}), "
                              f"got {q.say_count(self.daily_active_users)}")
        return self._within_limits()

    def _within_limits(self):
        from .capacity import estimate
        cap = estimate(self)
        lim.check_traffic(cap.qps_peak, cap.qps_peak / self.server_qps, cap.storage_total_bytes)
        return self

    @property
    def per_user(self) -> bool:
        """True for the per-user form, False for the totals form."""
        return self.reads is None


# --- architecture ---------------------------------------------------------------------

class StorageTier(Model):
    """Data older than ``after`` moves to ``storage_class`` (an S3 lifecycle rule, a cold volume)."""

    after: Days = Field(description="Age at which data moves: '90 days', '1 year'")
    storage_class: Literal[STORAGE_CLASSES] = Field(  # type: ignore[valid-type]
        description="The class it moves to (see docs/latency-and-cost.md)")


class Component(Model):
    """One box of the architecture: what it does, what one replica sustains, how it fails."""

    name: Line
    kind: Literal[COMPONENT_KINDS]  # type: ignore[valid-type]
    responsibility: Text
    technology: Text
    capacity: PerSecond = Field(description="Requests per second one replica sustains")
    write_capacity: PerSecond | None = Field(
        None, description="Writes per second one primary/shard sustains (databases; default: capacity)")
    memory: Size | None = Field(None, description="Memory per node (caches)")
    storage: Size | None = Field(None, description="Storage per node (databases, stores)")
    replicas: Replicas = Field(
        1, description="Servers (stateless kinds) or copies of each shard (data stores, caches)")
    shards: Shards = Field(
        1, description="Data stores and caches: partitions the data is split across; each shard has "
                       "`replicas` copies (one primary), so the component runs shards x replicas nodes")
    availability: Share = DEFAULT_AVAILABILITY
    traffic_share: Share = Field(1.0, description="Share of the path's requests that reach it")
    hit_ratio: Share | None = Field(None, description="Caches: share of reads served from memory")
    detection_seconds: Seconds | None = None
    failover_seconds: Seconds | None = None
    replication: Literal["sync", "async", "none", "leaderless"] | None = None
    monthly_cost: Dollars | None = Field(
        None, description="What the component costs a month, in place of the price table's figure")
    priced_as: Literal[PRICED_AS] | None = Field(  # type: ignore[valid-type]
        None, description="Price it in another unit than its kind's node: `gpu` (a GPU node-hour), or per "
                          "message delivered: `sms`, `email`, `push`")
    storage_class: Literal[STORAGE_CLASSES] | None = Field(  # type: ignore[valid-type]
        None, description="Data stores: the storage class new data lands in (default ebs_gp3 for databases "
                          "and search, s3_standard for object stores)")
    tiering: list[StorageTier] = Field(
        [], max_length=len(STORAGE_CLASSES),
        description="Data stores: where data moves as it ages, oldest last (the bill splits it by age)")

    @model_validator(mode="after")
    def _pricing_fields(self):
        family = CLASS_FAMILY.get(self.kind)
        named = ([("storage_class", self.storage_class)] if self.storage_class else []) + [
            (f"tiering.{i}.storage_class", tier.storage_class) for i, tier in enumerate(self.tiering)]
        for where, name in named:
            if family is None:
                raise _FieldError(where, f"only data stores ({', '.join(CLASS_FAMILY)}) have a storage class; "
                                         f"this is a {self.kind}")
            if not name.startswith(family):
                allowed = ", ".join(c for c in STORAGE_CLASSES if c.startswith(family))
                raise _FieldError(where, f"expected a storage class a {self.kind} can use ({allowed}), "
                                         f"got {name!r}")
        for i, (before, tier) in enumerate(zip(self.tiering, self.tiering[1:]), start=1):
            if tier.after <= before.after:
                raise _FieldError(f"tiering.{i}.after", "expected tiers in order of age, each after the one before")
        if self.priced_as is not None and holds_data(self.kind):
            raise _FieldError("priced_as", f"only stateless components are priced as {self.priced_as}; "
                                           f"this is a {self.kind}")
        return self

    @model_validator(mode="after")
    def _cache_fields(self):
        if self.hit_ratio is not None and self.kind != "cache":
            raise _FieldError("hit_ratio", f"only a cache has a hit ratio; this is a {self.kind}")
        sharded_kinds = ("database", "search", "object_store", "cache")
        if self.shards > 1 and self.kind not in sharded_kinds:
            raise _FieldError("shards", f"only data stores and caches ({', '.join(sharded_kinds)}) are "
                                        f"sharded; for a {self.kind} add replicas instead")
        if self.shards * self.replicas > lim.MAX_NODES:
            raise _FieldError("shards", f"{self.shards:,} shards x {self.replicas:,} replicas is "
                                        f"{self.shards * self.replicas:,} nodes; a component may have at most "
                                        f"{lim.MAX_NODES:,}")
        return self


PRICED_KINDS = Literal[COMPONENT_KINDS]  # type: ignore[valid-type]
NODE_PRICES = Literal[COMPONENT_KINDS + ("gpu",)]  # type: ignore[valid-type]
STORAGE_PRICES = Literal[tuple(CLASS_FAMILY) + STORAGE_CLASSES]  # type: ignore[valid-type]


class Prices(Model):
    """Overrides of the default price table (``designkit.model.prices``), US dollars."""

    node_hour: dict[NODE_PRICES, Dollars] = Field({}, description="Per node and hour, by kind (or `gpu`)")
    node_memory: dict[NODE_PRICES, Size] = Field(
        {}, description="Memory of the priced node, by kind (or `gpu`): a bigger `memory` is billed pro rata")
    storage_gb_month: dict[STORAGE_PRICES, Dollars] = Field(
        {}, description="Per GB stored a month, by data store kind (its default class) or storage class; "
                        "one price for every GB")
    message: dict[Literal[MESSAGE_KINDS], Dollars] = Field(  # type: ignore[valid-type]
        {}, description="Per message delivered, for components priced as `sms`, `email` or `push`")
    read_million: dict[PRICED_KINDS, Dollars] = Field({}, description="Per million reads, by kind")
    write_million: dict[PRICED_KINDS, Dollars] = Field({}, description="Per million writes, by kind")
    egress_gb: Dollars | None = Field(None, description="Per GB sent to the internet, every GB (replaces the tiers)")
    cdn_egress_gb: Dollars | None = Field(
        None, description="Per GB sent from a CDN (when the design has one), every GB (replaces the tiers)")


class Spec(Model):
    """One system: its name, scale, architecture and the prose of its article."""

    name: Line
    summary: Text | None = None
    interview_context: InterviewContext | None = None
    scale: Scale
    requirements: Requirements = Requirements()
    components: Annotated[list[Component], Field(max_length=lim.MAX_COMPONENTS)] = []
    read_path: list[Line] = []
    write_path: list[Line] = []
    core_components: list[CoreComponent] = []
    data_model: DataModel | None = None
    decisions: list[Decision] = []
    bottlenecks: list[Bottleneck] = []
    interview_tips: InterviewTips = InterviewTips()
    takeaways: Takeaways = Takeaways()
    references: list[Reference] = []
    prices: Prices | None = None

    @model_validator(mode="after")
    def _paths_name_components(self):
        names = [c.name for c in self.components]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise _FieldError(f"components.{index}.name", f"duplicate component name {name!r}")
        for path in ("read_path", "write_path"):
            for index, name in enumerate(getattr(self, path)):
                if name not in names:
                    close = difflib.get_close_matches(name, names, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    known = ", ".join(names) if names else "none defined"
                    raise _FieldError(f"{path}.{index}",
                                      f"unknown component {name!r}{hint} (components: {known})")
        return self

    @property
    def slug(self) -> str:
        """The safe file-name form of the name: 'Chat System' -> 'chat-system'."""
        return slugify(self.name)

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for comp in self.components:
            if comp.name == name:
                return comp
        raise KeyError(name)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; never a path, never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or "system"


TRAFFIC_FIELDS = {"users": q.parse_count, "daily_active_users": q.parse_count,
                  "reads": q.parse_rate, "writes": q.parse_rate}
"""The scale fields that ``scale=10x`` multiplies: users and daily actives, or the reads and writes totals."""


def scale_traffic(data: dict, factor: float) -> dict:
    """Multiply a raw spec's traffic by ``factor`` in either form (per-user or totals), ranges
    included (both ends and the likely value); the rest stays."""
    scale = data.get("scale")
    if not isinstance(scale, dict):
        return data
    for field, parse in TRAFFIC_FIELDS.items():
        if scale.get(field) is None:
            continue
        try:
            if rg.is_range(scale[field]):
                ends = rg.multiplied(scale[field], factor, parse)
                scale[field] = ends if parse is q.parse_count else {k: f"{v!r}/s" for k, v in ends.items()}
                continue
            number = parse(scale[field])
        except (TypeError, ValueError):
            continue  # validation names the field and what it expected
        scale[field] = number * factor if parse is q.parse_count else f"{number * factor!r}/s"
    return data


def apply_overrides(raw: dict, overrides: dict[str, Any] | None) -> dict:
    """A copy of ``raw`` with dotted overrides applied: 'users', 'scale.users',
    'components.Database.replicas'.  Bare names are scale fields.  ``scale=10x`` multiplies the
    spec's traffic as a whole (after the other overrides), whichever form the spec gives it in."""
    data = copy.deepcopy(raw)
    overrides = dict(overrides or {})
    factor = overrides.pop("scale", None)
    if isinstance(factor, dict):
        data["scale"], factor = factor, None
    for key, value in overrides.items():
        parts = str(key).split(".")
        if parts[0] in Scale.model_fields:
            parts = ["scale", *parts]
        if parts[0] == "components" and len(parts) == 3:
            comps = data.get("components") or []
            if not isinstance(comps, list):
                raise SpecError("overrides", [(key, f"components is {_kind(comps)}, not a list of components, "
                                                    "so it has no component to set a field of")])
            match = [c for c in comps if isinstance(c, dict) and c.get("name") == parts[1]]
            if not match:
                names = [c.get("name") for c in comps if isinstance(c, dict)]
                raise SpecError("overrides", [(key, f"no component named {parts[1]!r} "
                                                    f"(components: {', '.join(map(str, names))})")])
            match[0][parts[2]] = value
            continue
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise SpecError("overrides", [(key, f"cannot set a field inside {part}: it is "
                                                    f"{_kind(node)}, not a mapping")])
        node[parts[-1]] = value
    _actives_follow_users(raw, data, overrides)
    lim.check_traffic_overrides(data, overrides)
    if factor is not None:
        try:
            multiplier = q.parse_factor(factor)
        except (TypeError, ValueError) as exc:
            raise SpecError("overrides", [("scale", f"expected a multiple of today's traffic like '10x' or "
                                                    f"'0.5x', got {factor!r} ({exc})")]) from None
        if not multiplier > 0:
            raise SpecError("overrides", [("scale", f"expected a positive multiple like '10x', got {factor!r}")])
        scale_traffic(data, multiplier)
    return data


def _actives_follow_users(raw: dict, data: dict, overrides: dict) -> None:
    """A new ``users`` keeps the spec's share of users active each day, as the live panel's Users
    slider does (one meaning of "users" everywhere), unless the overrides set daily actives too."""
    keys = {str(key).removeprefix("scale.") for key in overrides}
    if "users" not in keys or keys & {"daily_active_users", "daily_active_fraction"}:
        return
    try:
        share = q.parse_count(raw["scale"]["daily_active_users"]) / q.parse_count(raw["scale"]["users"])
        users = q.parse_count(data["scale"]["users"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return          # no stated daily actives, or a value validation will name
    if 0 < users <= lim.MAX_COUNT and 0 <= share <= 1:
        data["scale"]["daily_active_users"] = users * share


def validate(data: dict, source: str = "<spec>") -> Spec:
    """Validate a raw mapping into a ``Spec``, or raise ``SpecError``.

    Scale inputs written as ranges are checked end by end, the spec is validated at their likely
    values, and the ranges ride along on ``spec.scale.ranges``.
    """
    data, found = rg.split(data, source, _parse_end) if isinstance(data, dict) else (data, ())
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(source, [_describe(err, data) for err in exc.errors()]) from None
    if found:
        _check_ends(data, found, source)
        spec = spec.model_copy(update={"scale": spec.scale.with_ranges(found)})
    return spec


_END_TYPES: dict[str, TypeAdapter] = {}


def _parse_end(field: str, text):
    """One end of a ranged scale input, parsed as the field's own type (ValueError when bad)."""
    if field not in _END_TYPES:
        info = Scale.model_fields[field]
        _END_TYPES[field] = TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata
                                        else info.annotation)
    try:
        return _END_TYPES[field].validate_python(text)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        raise ValueError(message[len("Value error, "):] if message.startswith("Value error, ") else message) \
            from None


def _check_ends(data: dict, found, source: str) -> None:
    """The scale must hold at the ranges' low ends and at their high ends together (limits, daily
    actives within users)."""
    for end in ("low", "high"):
        scale = {**data["scale"], **{r.field: rg.WRITERS[r.field](getattr(r, end)) for r in found}}
        try:
            Scale.model_validate(scale)
        except ValidationError as exc:
            fields = ", ".join(r.field for r in found)
            raise SpecError(source, [(f"scale.{'.'.join(map(str, e['loc'])) or fields}",
                                      f"at the {end} ends of the ranges ({fields}): "
                                      + _describe(e, data)[1]) for e in exc.errors()]) from None


def load_spec(ref: str | Path, overrides: dict[str, Any] | None = None) -> Spec:
    """Load, override and validate a spec file or bundled example."""
    path = resolve(ref)
    raw = read_raw(path)
    data = apply_overrides(raw, overrides)
    return validate(data, source_name(ref, overrides))


def source_name(ref: str | Path, overrides: dict[str, Any] | None = None) -> str:
    """How errors name a spec: as the user wrote it, with the overrides in force."""
    source = str(ref) if not overrides else f"{ref} (with overrides {', '.join(overrides)})"
    return source if Path(str(ref)).exists() or ref in example_names() else str(resolve(ref))


def _describe(err: dict, data: dict) -> tuple[str, str]:
    """Turn one pydantic error into (field path, what was expected)."""
    loc = list(err["loc"])
    kind = err["type"]
    message = err["msg"]
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _FieldError):
        loc.append(ctx_error.field)
        message = str(ctx_error).split("@ ", 1)[1]
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind == "extra_forbidden":
        field = loc[-1]
        known = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(field), known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = f"unknown field{hint} (expected one of: {', '.join(known)})"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "literal_error":
        message = f"expected one of {err['ctx']['expected']}, got {err['input']!r}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"expected a mapping, got {_kind(err['input'])}"
    elif kind == "list_type":
        message = f"expected a list, got {_kind(err['input'])}"
    elif kind in ("string_type",):
        message = f"expected text, got {_kind(err['input'])}"
    path = ".".join(str(part) for part in loc)
    return path or "(top level)", message


def _kind(value) -> str:
    return f"{type(value).__name__} {value!r}" if not isinstance(value, (dict, list)) else type(value).__name__


def _fields_at(loc: list) -> list[str]:
    """The field names a model at ``loc`` accepts (for did-you-mean)."""
    model: Any = Spec
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_of(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def json_schema() -> dict:
    """The JSON Schema of a spec file, for editors."""
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "designkit spec"
    return schema
