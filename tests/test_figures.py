"""Figures in prose: the vocabulary's values, filters, the sandbox, bad expressions and the frozen-figure lint."""

import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.assets import EXAMPLES_DIR
from designkit.errors import SpecError
from designkit.model.capacity import JSON_KEYS, estimate
from designkit.model.spec import example_names, load_spec, validate
from designkit.views.prose.templating import (
    FILTERS,
    evaluate,
    prose_fields,
    render_spec,
    render_text,
)
from designkit.views.prose.literal_numbers import frozen_figures, literals
from designkit.views.prose.figure_names import FIGURES, FigureError, namespace, numbers

REFERENCE = load_spec("reference")
NAMES = namespace(numbers(REFERENCE))


def reference_raw() -> dict:
    """The reference spec as plain data, to change one field of."""
    return yaml.safe_load((EXAMPLES_DIR / "reference.yaml").read_text(encoding="utf-8"))


def say(expression, names=NAMES):
    return evaluate(expression, names)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "designkit", *args], capture_output=True, text=True, cwd=cwd, check=False)


# --- the vocabulary, against hand-worked values of the reference ----------------------------------

def test_every_estimate_json_key_is_a_figure_of_the_same_value():
    cap = estimate(REFERENCE.scale).to_json()
    for key in JSON_KEYS:
        assert key in FIGURES
        assert float(NAMES[key]) == pytest.approx(cap[key])


@pytest.mark.parametrize("expression, said", [
    # 1.004e9 requests / 86,400 s x 4 = 46,481.5/s
    ("qps_peak", "~46K"), ("qps_peak | exact", "46,481"), ("qps_peak | per_hour", "~170 million"),
    ("qps_average | per_day", "~1 billion"), ("qps_peak * 10", "~460K"),
    # 1e9 writes x 500 B x 1,826.25 days = 9.13125e14 B
    ("storage_total_bytes", "~0.91 PB"), ("storage_total_bytes | bytes('TB')", "~910 TB"),
    ("storage_total_bytes | exact", "913,125,000,000,000 bytes"), ("storage_per_day_bytes", "500 GB"),
    ("storage_total_bytes / storage_per_day_bytes", "1,800x"),          # 1,826.25 days
    ("servers_needed", "24"), ("users", "100 million"), ("peak_factor", "4x"), ("retention", "5 years"),
    # Event Store: 2.739e15 B on 192 x 20 TB = 3.84e15 B -> 71.3% full, full at 1.40x today
    ('components["Event Store"].storage_share', "71%"), ('components["Event Store"].full_at', "1.4x"),
    ('components["Event Store"].full_at | percent', "140%"), ('components["Event Store"].nodes', "192"),
    ('components["Event Store"].shards_needed', "46"),                  # 2.739e15 / 20 TB / 3 copies
    ('components["Event Store"].next_step_users', "~140 million"),      # 100M x 1.40
    ('components["Query Cache"].memory', "16 GB"),                      # 4M reads x 20% x 20 KB
    ('components["Query Cache"].memory_share | multiple', "0.25x"),     # 16 GB of 64 GB
    ("breaks_first", "Event Store"), ("breaks_first_at", "1.4x"), ("breaks_first_limit", "data"),
    ("read_write_ratio", "0:1"), ("slo", "99.9%"),
])
def test_reference_figures_say_themselves(expression, said):
    assert say(expression) == said


def test_paths_say_availability_and_downtime():
    analysis = numbers(REFERENCE).analysis
    year_minutes = (1 - analysis.read_path.availability) * 365.25 * 1440
    assert float(NAMES["read_path"].downtime) == pytest.approx(year_minutes)
    assert say("read_path.availability").endswith("%")
    assert say("write_path.downtime_per_month").endswith(("ms", "s", "min"))


def test_render_spec_returns_a_new_frozen_spec_with_prose_said():
    rendered = render_spec(REFERENCE, "reference")
    assert rendered is not REFERENCE and rendered.model_config["frozen"]
    target = rendered.requirements.non_functional[1].target
    assert target == "~46K events/s at peak (4x the ~12K/s average)"
    assert "{{" in REFERENCE.requirements.non_functional[1].target      # the input is untouched
    assert not any("{{" in text for _, text in prose_fields(rendered))
    assert rendered.scale == REFERENCE.scale and rendered.components[0].name == "Load Balancer"


def test_render_follows_the_scale():
    ten = render_spec(load_spec("reference", {"scale": "10x"}))
    assert ten.requirements.non_functional[1].target.startswith("~460K events/s")
    assert "At 1 billion users it ingests about 10 billion small writes a day" in ten.summary


@pytest.mark.parametrize("text, said", [
    ("about {{ qps_peak }} at peak", "about 140K at peak"),
    ("Roughly {{ qps_peak }}", "Roughly 140K"),
    ("around\n{{ qps_peak }}", "around\n140K"),
    ("{{ qps_peak }} at peak", "~140K at peak"),             # no hedge before it: the figure keeps its '~'
    ("thereabout {{ qps_peak }}", "thereabout ~140K"),       # a word that only ends like one
    ("about {{ qps_peak }}, about {{ storage_total_bytes }}", "about 140K, about 2.7 PB"),
])
def test_a_hedge_word_is_never_doubled(text, said):
    """'about ~140K' says 'roughly' twice; the figure drops its '~' after such a word."""
    assert render_text(text, namespace(numbers(load_spec("reference", {"scale": "3x"})))) == said


def test_code_and_names_are_never_rendered():
    raw = reference_raw()
    raw["core_components"][0]["pseudocode"] = "x = '{{ qps_peak }}'  # {% raw %}"
    raw["data_model"]["schema"] = "CREATE TABLE t ({{ not_a_figure }});"
    spec = render_spec(validate(raw))
    assert spec.core_components[0].pseudocode == "x = '{{ qps_peak }}'  # {% raw %}"
    assert spec.data_model.schema_sql == "CREATE TABLE t ({{ not_a_figure }});"


# --- the parser: text is data ---------------------------------------------------------------------

@given(st.text().filter(lambda t: "{{" not in t))
@settings(deadline=None)   # shared CI cores: a slow example is not a wrong one
def test_text_without_braces_is_unchanged(text):
    assert render_text(text, NAMES) == text


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_expression_is_said_or_refused_cleanly(expression):
    try:
        result = render_text("{{" + expression + "}}", NAMES)
    except FigureError as exc:
        assert str(exc)
    else:
        assert isinstance(result, str) and len(result) <= 200


@given(st.sampled_from(sorted(FIGURES)), st.sampled_from(sorted(FILTERS) + [""]))
@settings(deadline=None)
def test_every_figure_and_filter_says_text_or_refuses(name, filter_name):
    head, _, tail = name.partition(".")
    expression = f"{head}.{tail}" if tail else name
    try:
        said = say(f"{expression} | {filter_name}" if filter_name else expression)
    except FigureError as exc:
        assert filter_name or "no value" in str(exc), exc
    else:
        assert said and "{" not in said


@pytest.mark.parametrize("expression", [
    "''.__class__", "''.__class__.__mro__[1].__subclasses__()", "qps_peak.__class__",
    "components.__class__", "components['Event Store']._figures", "qps_peak.value.__class__",
    "cycler.__init__.__globals__", "lipsum()", "range(10)", "'a' * 1000000", "[1] * 10**7", "2 ** 10000",
    "namespace()", "self", "config", "request",
])
def test_the_sandbox_refuses_escapes(expression):
    with pytest.raises(FigureError):
        say(expression)


@pytest.mark.parametrize("expression, expected", [
    ("qps_peek", "unknown name 'qps_peek'; did you mean 'qps_peak'?"),
    ('components["Event Stor"].nodes', "unknown component 'Event Stor'; did you mean 'Event Store'?"),
    ('components["Event Store"].nodez', "did you mean 'nodes'?"),
    ("read_path.availabilty", "did you mean 'availability'?"),
    ("qps_peak +", "syntax error"),
    ("servers_needed | per_hour", "the per_hour filter takes a qps or bandwidth figure"),
    ("storage_total_bytes | bytes('parsecs')", "expected a size unit"),
    ("reads", "reads has no value for this spec"),
])
def test_bad_expressions_say_what_is_wrong(expression, expected):
    with pytest.raises(FigureError, match=expected.replace("(", r"\(").replace("?", r"\?").replace("|", r"\|")):
        say(expression)


def test_an_unclosed_expression_is_a_syntax_error():
    with pytest.raises(FigureError, match="never closed"):
        render_text("about {{ qps_peak events", NAMES)


def _bad_spec(tmp_path, target="{{ qps_peek }} events/s"):
    raw = reference_raw()
    raw["requirements"]["non_functional"][1]["target"] = target
    raw["summary"] = "At {{ ''.__class__ }} users"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_render_spec_names_file_field_and_expression(tmp_path):
    path = _bad_spec(tmp_path)
    spec = load_spec(path)
    with pytest.raises(SpecError) as info:
        render_spec(spec, str(path))
    message = str(info.value)
    assert f"{path}: requirements.non_functional[1].target: {{{{ qps_peek }}}}: unknown name 'qps_peek'" in message
    assert f"{path}: summary: {{{{ ''.__class__ }}}}: not allowed" in message


@pytest.mark.parametrize("command", ["validate", "figures", "build"])
def test_bad_expressions_exit_2_and_write_nothing(tmp_path, command):
    path = _bad_spec(tmp_path)
    out = tmp_path / "out"
    args = [command, str(path)] + (["-o", str(out)] if command == "build" else [])
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "requirements.non_functional[1].target: {{ qps_peek }}" in result.stderr
    assert "did you mean 'qps_peak'?" in result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_figures_lists_the_vocabulary_with_todays_values():
    result = run("figures", "reference")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[2:] if line.strip()}
    assert lines["qps_peak"].split()[1] == "~46K"
    assert lines['components["Event'].split("  ")[0].strip() in lines['components["Event']
    assert any(line.startswith('components["Event Store"].storage_share') and " 71% " in line
               for line in result.stdout.splitlines())
    assert set(FIGURES) <= set(lines)
    scaled = run("figures", "reference", "-p", "scale=10x")
    assert any(line.startswith("qps_peak ") and "~460K" in line for line in scaled.stdout.splitlines())


# --- the lint ---------------------------------------------------------------------------------------

def _reference_with(**fields):
    raw = reference_raw()
    for path, value in fields.items():
        node = raw
        *parents, last = path.split("/")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return validate(raw)


def test_lint_names_the_field_and_the_figure_to_use():
    spec = _reference_with(**{"requirements/non_functional/1/target": "~46K events/s at peak"})
    warnings = frozen_figures(spec)
    assert len(warnings) == 1
    assert warnings[0].startswith("requirements.non_functional[1].target says '~46K': that is qps_peak; "
                                  "write {{ qps_peak }}")


@pytest.mark.parametrize("text, figure", [
    ("holds 0.91 PB over five years", "storage_total_bytes"), ("about 2.7 PB with replicas", "storage_replicated_bytes"),
    ("disk is 71% full", 'components["Event Store"].storage_share'), ("fails at 1.4 times today's traffic", "breaks_first_at"),
    ("1 billion events a day", "requests_per_day"), ("24 servers", None), ("At 100 million users", "users"),
])
def test_lint_finds_frozen_figures_of_each_kind(text, figure):
    warnings = frozen_figures(_reference_with(summary=text))
    if figure is None:
        assert warnings == []            # bare numbers under 100 are left alone (too often constants)
    else:
        assert len(warnings) == 1 and f"that is {figure}" in warnings[0] and warnings[0].startswith("summary says")


def test_lint_leaves_constants_alone():
    text = ("In 2024 the API answers 202 within 24 hours, inserts batches of 100K rows in 100K-row parts, "
            "keeps 3 replicas and 192 nodes of 20 TB, peaks at 4x average, targets p99 < 250 ms and "
            "99.9% availability, version 1.2.3, ratio 100:1, `46K` in code, and {{ qps_peak }} in a figure; "
            "channels of 100K members")
    assert frozen_figures(_reference_with(summary=text)) == []


@given(st.text())
@settings(deadline=None)
def test_literals_never_fail_on_any_text(text):
    for written, group, value, sig in literals(text):
        assert written and group in ("size", "count", "pct", "times") and value >= 0 and sig >= 1


@pytest.mark.parametrize("name", example_names())
def test_examples_are_lint_clean_and_render(name):
    spec = load_spec(name)
    assert frozen_figures(spec) == []
    rendered = render_spec(spec, name)
    assert not any("{{" in text or "}}" in text for _, text in prose_fields(rendered))
    assert any("{{" in text for _, text in prose_fields(spec)), "the example states no figure"


def test_validate_warns_about_frozen_figures(tmp_path):
    spec_path = tmp_path / "frozen.yaml"
    raw = reference_raw()
    raw["requirements"]["non_functional"][1]["target"] = "~46K events/s at peak"
    spec_path.write_text(yaml.safe_dump(raw))
    result = run("validate", str(spec_path))
    assert result.returncode == 0 and result.stdout.strip() == f"{spec_path}: valid, with 1 warning"
    assert (f"designkit validate: warning: {spec_path}: requirements.non_functional[1].target says '~46K': "
            "that is qps_peak") in result.stderr
    assert run("validate", str(spec_path), "--strict").returncode == 1
