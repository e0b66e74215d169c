import time

from openmash.lib.remembered import Remembered


def test_a_value_is_remembered_for_its_seconds_then_forgotten():
    remembered: Remembered[str, int] = Remembered(seconds=0.05)
    remembered.put("a", 1)
    assert remembered.get("a") == 1 and remembered.get("b") is None
    time.sleep(0.06)
    assert remembered.get("a") is None


def test_forgetting_is_at_once_and_the_memory_is_bounded():
    remembered: Remembered[int, int] = Remembered(seconds=60, most=3)
    for key in range(3):
        remembered.put(key, key)
    remembered.forget(1)
    assert remembered.get(1) is None and remembered.get(2) == 2
    remembered.put(3, 3)
    remembered.put(4, 4)  # the fourth entry: the old ones are dropped
    assert remembered.get(0) is None and remembered.get(4) == 4


def test_many_keys_at_once_say_which_to_read_afresh():
    remembered: Remembered[str, tuple[int, ...]] = Remembered(seconds=60)
    remembered.put("a", (1,))
    remembered.put("b", ())  # an empty answer is remembered too: nothing to read again
    assert remembered.get_many(["a", "b", "c"]) == ({"a": (1,), "b": ()}, ["c"])
