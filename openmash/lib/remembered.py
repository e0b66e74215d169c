"""A value remembered for a few seconds in one process, for lookups on every request whose answer rarely
changes (an API token's client, the council of a postcode). Each process forgets on its own clock, so a
change made elsewhere is seen within ``seconds``; the process that makes a change forgets at once."""

import time
from collections.abc import Iterable


class Remembered[Key, Value]:
    def __init__(self, seconds: float, most: int = 10_000) -> None:
        self.seconds = seconds
        self._most = most
        self._values: dict[Key, tuple[float, Value]] = {}

    def get(self, key: Key) -> Value | None:
        found = self._values.get(key)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]

    def get_many(self, keys: Iterable[Key]) -> tuple[dict[Key, Value], list[Key]]:
        """The values still remembered for ``keys``, and the keys to read afresh."""
        found: dict[Key, Value] = {}
        missing: list[Key] = []
        for key in keys:
            value = self.get(key)
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        return found, missing

    def put(self, key: Key, value: Value) -> None:
        if len(self._values) >= self._most:  # bounded: the old entries are simply dropped
            self._values.clear()
        self._values[key] = (time.monotonic() + self.seconds, value)

    def forget(self, key: Key) -> None:
        self._values.pop(key, None)

    def clear(self) -> None:
        self._values.clear()
