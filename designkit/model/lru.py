"""A bounded cache: at most ``size`` entries, the least recently used dropped first.

Every memo in designkit that must not grow without end is one of these (``functools.lru_cache``
where the cache is a function's own results), so there is one eviction rule to read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class LRU:
    """A mapping of at most ``size`` entries; ``get`` and ``put`` make an entry the newest."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"an LRU holds at least one entry, not {size}")
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The entry for ``key`` (now the newest), or ``default``."""
        if key not in self._entries:
            return default
        self._entries.move_to_end(key)
        return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key`` as the newest entry; the oldest go past ``size``."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def pop(self, key: Hashable, default: Any = None) -> Any:
        return self._entries.pop(key, default)

    def clear(self) -> None:
        self._entries.clear()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def values(self):
        """The entries' values, oldest first."""
        return self._entries.values()
