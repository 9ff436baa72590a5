"""Reading spec files: safe YAML, bundled examples by name, and `-p field=value` overrides as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..assets import EXAMPLES_DIR
from ..errors import SpecError

MAX_SPEC_BYTES = 1_000_000


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
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        keys.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str):
    """Parse YAML safely (no object-constructing tags, no duplicate keys)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


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
    size = path.stat().st_size
    if size > MAX_SPEC_BYTES:
        raise SpecError(source, f"file is {size:,} bytes; a spec may be at most {MAX_SPEC_BYTES:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(source, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise SpecError(source, f"cannot read: {exc.strerror}") from None
    if not text.strip():
        raise SpecError(source, "empty file, expected a YAML mapping with at least name and scale")
    try:
        data = parse_yaml(text)
    except yaml.constructor.ConstructorError as exc:
        where = _mark(exc.problem_mark)
        if exc.problem and "duplicate key" in exc.problem:
            raise SpecError(source, f"{where}{exc.problem}") from None
        raise SpecError(source, f"{where}YAML tag not allowed ({exc.problem}); "
                                "specs may not construct objects") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(source, f"{_mark(mark)}not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(source, f"expected a YAML mapping (name: ..., scale: ...), "
                                f"got {type(data).__name__}")
    return data


def _mark(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def parse_override(text: str) -> tuple[str, Any]:
    """'users=1 billion' -> ('users', '1 billion'); values are YAML scalars."""
    if "=" not in text:
        raise SpecError("-p", [(text, "expected field=value, e.g. users='1 billion'")])
    key, value = text.split("=", 1)
    try:
        parsed = parse_yaml(value) if value.strip() else value
    except yaml.YAMLError:
        parsed = value
    return key.strip(), parsed
