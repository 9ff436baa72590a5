"""The fleet a load needs, at any multiple of today's traffic, grows in proportion to the load.

Model-level and cheap (capacity, loads and the bill; no notebooks, no full analysis): every
bundled example built at 0.1x .. 1000x with ``-p scale=Nx``, the override a build uses.
"""

from __future__ import annotations

import functools

import pytest

from designkit.model.capacity import estimate
from designkit.model.cost import bill, fleet_at
from designkit.model.scaling import loads
from designkit.model.spec import apply_overrides, example_names, read_raw, resolve, validate

SCALES = ("0.1x", "1x", "10x", "100x", "1000x")


@functools.cache
def raw(name: str) -> dict:
    return read_raw(resolve(name))          # parsed once: YAML parsing is most of a spec's load time


@functools.cache
def built(name: str, scale: str):
    """(spec, loads, today's bill, the bill at 10x) of ``name`` built at ``scale`` (as ``load_spec`` does)."""
    spec = validate(apply_overrides(raw(name), {"scale": scale}), name)
    cap = estimate(spec.scale)
    now = loads(spec, cap)
    return spec, now, bill(spec, cap, now), bill(spec, cap, now, factor=10)


def flat(values) -> bool:
    return max(values) <= 2 * min(values)


def floored(name: str) -> bool:
    """True when the 0.1x build's fleet at 10x is today's fleet on every component."""
    _, small_loads, _, small_10x = built(name, "0.1x")
    return all(line.nodes == load.nodes for line, load in zip(small_10x.lines, small_loads))


@pytest.mark.parametrize("name", example_names())
def test_cost_per_request_of_the_fleet_at_10x_is_flat_across_scales(name):
    """The 10x bill per million requests, from builds at 0.1x .. 1000x, stays within 2x.

    One exception, checked exactly: where the 0.1x build's fleet at 10x is today's fleet on every
    component (the floor "never fewer nodes than today's" binds everywhere), that bill is the 1x
    build's own bill: the design's declared fleet, not one sized to the load.
    """
    per_million = {scale: built(name, scale)[3].per_million_requests for scale in SCALES}
    if not flat(per_million.values()):
        assert floored(name), per_million
        assert built(name, "0.1x")[3].total == pytest.approx(built(name, "1x")[2].total, rel=1e-9)
        del per_million["0.1x"]
    assert flat(per_million.values()), per_million


def test_only_paste_service_is_excepted():
    """The exception above, named: a design of 42 requests a second runs 9 nodes for redundancy."""
    excepted = [name for name in example_names()
                if not flat([built(name, scale)[3].per_million_requests for scale in SCALES])]
    assert excepted == ["paste-service"]
    per_million = [built("paste-service", scale)[3].per_million_requests for scale in SCALES]
    assert per_million[0] == pytest.approx(8.18, abs=0.005)        # the figures docs/latency-and-cost.md says
    assert per_million[1] == pytest.approx(3.36, abs=0.005)
    assert per_million[-1] == pytest.approx(2.98, abs=0.005)


@pytest.mark.parametrize("name", example_names())
def test_the_fleet_at_10x_is_the_fleet_the_10x_build_needs(name):
    """Sized once: the 1x build's fleet at 10x is the 10x build's fleet at 1x (never below today's)."""
    _, now, _, _ = built(name, "1x")
    _, later, _, _ = built(name, "10x")
    for load, load_then in zip(now, later):
        assert fleet_at(load, 10) == max(load.nodes, fleet_at(load_then, 1)), load.name


def test_the_old_quadratic_is_gone_for_a_read_heavy_store():
    """key-value-store: its store's nodes at 1000x grow about 1000x, not 1000x squared."""
    _, now, _, _ = built("key-value-store", "1x")
    store = next(load for load in now if load.kind == "database")
    ratio = fleet_at(store, 10_000) / fleet_at(store, 10)
    assert 500 <= ratio <= 1100
