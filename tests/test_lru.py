"""The one bounded cache (model/lru.py): at most ``size`` entries, the least recently used dropped first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designkit.model.lru import LRU

OPS = st.lists(st.tuples(st.sampled_from(["get", "put", "pop"]), st.integers(0, 6), st.integers()), max_size=60)


@given(st.integers(1, 4), OPS)
def test_lru_matches_a_list_kept_in_use_order(size, ops):
    cache, order = LRU(size), []            # order: (key, value), least recently used first
    for op, key, value in ops:
        found = next((kv for kv in order if kv[0] == key), None)
        if op == "get":
            assert cache.get(key, "none") == (found[1] if found else "none")
            if found:
                order.remove(found)
                order.append(found)
        elif op == "put":
            if found:
                order.remove(found)
            order.append((key, value))
            del order[:-size]
            cache.put(key, value)
        else:
            assert cache.pop(key, "none") == (found[1] if found else "none")
            if found:
                order.remove(found)
        assert len(cache) == len(order) <= size
        assert list(cache.values()) == [v for _, v in order]
        assert all(k in cache for k, _ in order)


def test_an_lru_holds_at_least_one_entry():
    with pytest.raises(ValueError, match="at least one"):
        LRU(0)
