"""Reading spec files: safe YAML, bundled examples by name, and `-p field=value` overrides as text."""

from __future__ import annotations

import os
import re
import select
import stat
import time
from pathlib import Path
from typing import Any

import yaml

from ..assets import EXAMPLES_DIR
from ..errors import SpecError

MAX_SPEC_BYTES = 1_000_000     # bytes read from a spec file of any kind (file, FIFO, device)
MAX_DEPTH = 32                 # nesting of mappings and lists
MAX_ALIASES = 100              # *alias uses in one spec
MAX_EXPANDED_NODES = 100_000   # nodes once every alias is expanded
MAX_EXPANDED_CHARS = 2_000_000 # characters of text once every alias is expanded
MAX_OVERRIDE_CHARS = 10_000    # one -p or --sweep argument (YAML scanning costs ~2 us a character)
SPEC_FIELDS = {"name", "summary", "scale", "components", "requirements", "interview_context"}
READ_SECONDS = 5.0             # a pipe or device that sends nothing for this long is refused


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 numbers ('100:1' stays text) and no duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers
          if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
               r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _construct_mapping(loader, node, deep=False):
    keys = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be plain text, not a list or mapping", key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        keys.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_CLoader = None
if getattr(yaml, "__with_libyaml__", False):
    class _CLoader(yaml.CSafeLoader):   # type: ignore[no-redef]
        """_Loader on libyaml's parser (ten times faster); resolvers and constructors are _Loader's own."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _CLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class LimitError(yaml.YAMLError):
    """The YAML is well formed but beyond one of the stated limits (depth, aliases, expanded size)."""

    def __init__(self, problem: str, mark=None):
        self.problem, self.problem_mark = problem, mark
        super().__init__(problem)


def parse_yaml(text: str):
    """Parse YAML safely: no object-constructing tags, no duplicate or complex keys, and within the
    limits on nesting, aliases and expanded size (so a "billion laughs" fails at once, not later).

    libyaml parses when PyYAML has it; a document it refuses is parsed again in pure Python, so
    every error is said in the same words (and at the same place) either way."""
    if _CLoader is not None:
        try:
            return _parse(text, _CLoader)
        except Exception:  # noqa: BLE001 - whatever it is, the pure-Python parser says it
            pass
    return _parse(text, _Loader)


def _parse(text: str, loader_class):
    _check_events(text, loader_class)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_events(text: str, loader_class=_Loader) -> None:
    """Depth and alias count from the event stream, before anything recursive touches the document."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=loader_class):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise LimitError(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise LimitError(f"more than {MAX_ALIASES} aliases (*name); a spec may use at most "
                                 f"{MAX_ALIASES}", event.start_mark)


def _check_expanded(root) -> None:
    """Nodes and characters the document would have with every alias expanded; no alias cycles."""
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def size(node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise LimitError("an alias refers to the list or mapping that contains it", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            result = (1, len(node.value))
        else:
            active.add(key)
            children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) \
                else list(node.value)
            nodes, chars = 1, 0
            for child in children:
                n, c = size(child)
                nodes, chars = nodes + n, chars + c
                if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
                    raise LimitError(f"with its aliases expanded the spec exceeds {MAX_EXPANDED_NODES:,} "
                                     f"values or {MAX_EXPANDED_CHARS:,} characters", child.start_mark)
            active.discard(key)
            result = (nodes, chars)
        sizes[key] = result
        return result

    size(root)


def example_names() -> list[str]:
    """The bundled example specs, by name."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))


def resolve(ref: str | Path) -> Path:
    """A spec path from a file path or a bundled example name."""
    path = Path(ref)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in str(ref) or "\\" in str(ref):
        return path
    bundled = EXAMPLES_DIR / f"{ref}.yaml"
    if bundled.is_file():
        return bundled
    raise SpecError(str(ref), f"no such file, and no bundled example of that name "
                              f"(examples: {', '.join(example_names())})")


def read_raw(path: Path) -> dict:
    """Read a spec file into a plain mapping, with a clear error for every way it can fail."""
    source = str(path)
    if not path.exists():
        raise SpecError(source, "no such file")
    if path.is_dir():
        raise SpecError(source, "is a directory, expected a YAML spec file")
    try:
        data = read_bounded(path)
    except OSError as exc:
        raise SpecError(source, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(source, f"more than {MAX_SPEC_BYTES:,} bytes; a spec may be at most "
                                f"{MAX_SPEC_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(source, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    if not text.strip():
        raise SpecError(source, "empty file, expected a YAML mapping with at least name and scale")
    try:
        data = parse_yaml(text)
    except yaml.constructor.ConstructorError as exc:
        where = _mark(exc.problem_mark)
        if exc.problem and ("duplicate key" in exc.problem or "mapping key" in exc.problem):
            raise SpecError(source, f"{where}{exc.problem}") from None
        raise SpecError(source, f"{where}YAML tag not allowed ({exc.problem}); "
                                "specs may not construct objects") from None
    except LimitError as exc:
        raise SpecError(source, f"{_mark(exc.problem_mark)}{exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "unreadable YAML"  # never str(exc): it quotes the lines
        raise SpecError(source, f"{_mark(mark)}not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(source, f"expected a YAML mapping (name: ..., scale: ...), "
                                f"got {type(data).__name__}")
    if not set(map(str, data)) & SPEC_FIELDS:
        raise SpecError(source, "does not look like a designkit spec: none of its top-level keys is a spec "
                                "field (expected name, scale, components, ...)")
    return data


def read_bounded(path: Path, limit: int = MAX_SPEC_BYTES, seconds: float | None = None) -> bytes:
    """At most limit + 1 bytes of any kind of file, without trusting its reported size.

    Opened non-blocking, so a FIFO with no writer cannot hang the open; a pipe or device that sends
    nothing for ``seconds`` raises OSError; /dev/zero stops at limit + 1 bytes.
    """
    seconds = READ_SECONDS if seconds is None else seconds
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        chunks, total = [], 0
        deadline = time.monotonic() + seconds
        while total <= limit:
            if not regular:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    raise OSError(f"nothing arrived within {seconds:g} s (a pipe or device, not a file)")
            try:
                chunk = os.read(fd, min(65536, limit + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def signature(path: Path) -> tuple[int, ...] | None:
    """What changes whenever a file is written (device, inode, size, modified and changed times);
    None for anything that is not a regular file (a pipe, a device, ``<(...)``)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def canonical_field(key: str, scale_fields) -> str:
    """The field an override names, however written: 'users' and ' scale.users' are 'scale.users'
    (``scale_fields``: the names of the spec's scale fields, ``spec.Scale.model_fields``)."""
    parts = [part.strip() for part in str(key).split(".")]
    return ".".join(["scale", *parts] if parts[0] in scale_fields else parts)


def check_fixed(keys, scale_fields) -> None:
    """Refuse -p flags that set one field twice (-p users=1M -p scale.users=2M): which would win?"""
    seen: dict[str, str] = {}
    for key in keys:
        field = canonical_field(key, scale_fields)
        if field in seen:
            raise SpecError("-p", [(key, f"the same field as {seen[field]}, given twice; keep one")])
        seen[field] = key


def _mark(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def parse_override(text: str) -> tuple[str, Any]:
    """'users=1 billion' -> ('users', '1 billion'); values are YAML scalars."""
    if len(text) > MAX_OVERRIDE_CHARS:
        raise SpecError("-p", [(text[:40] + "...", f"{len(text):,} characters; a -p value is at most "
                                                   f"{MAX_OVERRIDE_CHARS:,}: put long text in the spec")])
    if "=" not in text:
        raise SpecError("-p", [(text, "expected field=value, e.g. users='1 billion'")])
    key, value = text.split("=", 1)
    try:
        parsed = parse_yaml(value) if value.strip() else value
    except yaml.YAMLError:
        parsed = value
    return key.strip(), parsed
