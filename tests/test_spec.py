"""Spec files: safe loading, frozen models, and one clear message for every bad input."""

import json
import subprocess
import sys

import pytest

from designkit.cli import main
from designkit.errors import SpecError
from designkit.model.source import parse_override
from designkit.model.spec import apply_overrides, json_schema, load_spec, slugify

GOOD_SCALE = """\
scale:
  users: 100 million
  daily_active_users: 10 million
  requests_per_user_per_day: 100
  read_write_ratio: "0:1"
  record_size: 500 bytes
  retention: 5 years
"""


def write(tmp_path, text, name="spec.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


BAD = {
    "empty": ("", "", "empty file"),
    "not YAML": ("name: [unclosed\nscale: {", "line", "not valid YAML"),
    "not a mapping": ("- a\n- b\n", "", "expected a YAML mapping"),
    "missing name": (GOOD_SCALE, "name", "required field is missing"),
    "missing scale inputs": ("name: X\nscale:\n  users: 10\n  record_size: 1\n  retention: 1 year\n",
                             "scale", "missing scale inputs"),
    "unknown field": ("name: X\n" + GOOD_SCALE + "  peak_facter: 3x\n", "scale.peak_facter",
                      "did you mean 'peak_factor'"),
    "unknown top-level field": ("name: X\nsumary: hi\n" + GOOD_SCALE, "sumary", "did you mean 'summary'"),
    "wrong type": ("name: [1, 2]\n" + GOOD_SCALE, "name", "expected text"),
    "negative": ("name: X\n" + GOOD_SCALE.replace("100 million", "-5"), "scale.users", "positive"),
    "zero": ("name: X\n" + GOOD_SCALE.replace("500 bytes", "0"), "scale.record_size", "positive"),
    "fraction outside 0-100%": ("name: X\n" + GOOD_SCALE.replace("daily_active_users: 10 million",
                                "daily_active_fraction: 150%"), "scale.daily_active_fraction", "0% and 100%"),
    "NaN": ("name: X\n" + GOOD_SCALE.replace("100 million", ".nan"), "scale.users", "finite"),
    "infinity": ("name: X\n" + GOOD_SCALE.replace("5 years", ".inf"), "scale.retention", "finite"),
    "unparsable quantity": ("name: X\n" + GOOD_SCALE.replace("5 years", "a long time"),
                            "scale.retention", "expected a duration"),
    "wrong kind of unit": ("name: X\nscale:\n  reads: 5 GB\n  writes: 1/s\n  record_size: 1\n  retention: 1 year\n",
                           "scale.reads", "size unit"),
    "daily actives above users": ("name: X\n" + GOOD_SCALE.replace("10 million", "200 million"),
                                  "scale.daily_active_users", "at most users"),
    "object tag": ("name: !!python/object/apply:os.system ['touch pwned']\n" + GOOD_SCALE, "line 1",
                   "YAML tag not allowed"),
    "duplicate key": ("name: X\nname: Y\n" + GOOD_SCALE, "line 2", "duplicate key 'name'"),
    "invalid UTF-8": (b"name: caf\xe9\n" + GOOD_SCALE.encode(), "", "not valid UTF-8"),
    "unknown component in path": ("name: X\n" + GOOD_SCALE + "components:\n  - {name: Cache, kind: cache, "
                                  "responsibility: r, technology: t, capacity: 10}\nread_path: [Cahce]\n",
                                  "read_path.0", "did you mean 'Cache'"),
    "share outside 0-100%": ("name: X\n" + GOOD_SCALE + "components:\n  - {name: A, kind: service, "
                             "responsibility: r, technology: t, capacity: 10, traffic_share: 140%}\n",
                             "components.0.traffic_share", "0% and 100%"),
    "bad component kind": ("name: X\n" + GOOD_SCALE + "components:\n  - {name: A, kind: servise, "
                           "responsibility: r, technology: t, capacity: 10}\n", "components.0.kind",
                           "expected one of"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_spec_gets_one_clear_message_and_exit_2(case, tmp_path, capsys):
    text, field, expected = BAD[case]
    path = write(tmp_path, text)
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in ("validate", "estimate"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and field in err and expected in err, err
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert not (tmp_path / "pwned").exists()


def test_missing_file_directory_and_too_large(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    big = write(tmp_path, "name: X\n" + GOOD_SCALE + "# " + "x" * 1_000_001 + "\n")
    assert main(["validate", str(big)]) == 2
    assert "at most 1,000,000 bytes" in capsys.readouterr().err
    assert main(["validate", "no-such-example"]) == 2
    assert "no bundled example" in capsys.readouterr().err


def test_unquoted_ratio_stays_a_ratio(tmp_path):
    """YAML 1.1 reads 100:1 as the base-60 integer 6001; designkit reads it as a ratio."""
    path = write(tmp_path, "name: X\n" + GOOD_SCALE.replace('"0:1"', "100:1"))
    assert load_spec(path).scale.read_write_ratio == (100, 1)


def test_models_are_frozen():
    spec = load_spec("reference")
    with pytest.raises(Exception):
        spec.scale.users = 5


def test_overrides_are_applied_to_a_copy_and_validated():
    spec = load_spec("reference", {"users": "1 billion", "daily_active_users": "100 million",
                                   "components.Event Store.replicas": 6})
    assert spec.scale.users == 1e9 and spec.component("Event Store").replicas == 6
    assert load_spec("reference").scale.users == 1e8
    with pytest.raises(SpecError, match="scale.peak_factor: expected a factor"):
        load_spec("reference", {"peak_factor": "lots"})
    with pytest.raises(SpecError, match="no component named 'Nope'"):
        load_spec("reference", {"components.Nope.replicas": 2})
    raw = {"scale": {"users": 1}}
    apply_overrides(raw, {"users": 2})
    assert raw == {"scale": {"users": 1}}
    assert parse_override("users=1 billion") == ("users", "1 billion")
    assert parse_override("components.DB.replicas=3") == ("components.DB.replicas", 3)


def test_slugs_are_safe_file_names():
    assert slugify("Chat System") == "chat-system"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Café  Über/Ñu!") == "cafe-uber-nu"
    assert slugify("///") == "system"


def test_schema_describes_the_spec():
    schema = json_schema()
    assert schema["title"] == "designkit spec"
    assert {"name", "scale"} <= set(schema["required"])
    scale = schema["$defs"]["Scale"]["properties"]
    assert "peak_factor" in scale and "read_write_ratio" in scale
    assert schema["$defs"]["Scale"]["additionalProperties"] is False


def test_schema_command_prints_json():
    out = subprocess.run([sys.executable, "-m", "designkit", "schema"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["properties"]["scale"]
