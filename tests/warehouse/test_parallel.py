"""Questions asked side by side: the items' order, errors raised, no wait on a busy pool."""

from __future__ import annotations

import threading

import pytest

from warehouse import parallel


def test_answers_come_in_the_items_order_from_worker_threads():
    seen = []

    def square(n: int) -> int:
        seen.append(threading.current_thread().name)
        return n * n

    assert parallel.each(square, range(6)) == [0, 1, 4, 9, 16, 25]
    assert all(name.startswith(parallel.THREAD_PREFIX) for name in seen)


def test_an_error_of_one_item_is_raised():
    def check(n: int) -> int:
        if n == 3:
            raise ValueError("item 3")
        return n

    with pytest.raises(ValueError, match="item 3"):
        parallel.each(check, range(5))


def test_asked_from_a_worker_the_items_run_there():
    """Every worker asking side by side in turn would wait on a pool it fills; nested items run in place."""

    def nested(n: int) -> list[tuple[int, str]]:
        here = threading.current_thread().name
        return parallel.each(lambda m: (n * 10 + m, threading.current_thread().name == here), range(3))

    answers = parallel.each(nested, range(4))  # more items than workers, each nesting
    assert [[value for value, _ in inner] for inner in answers] == [[10 * n + m for m in range(3)] for n in range(4)]
    assert all(same for inner in answers for _, same in inner)


def test_different_questions_are_answered_in_their_order():
    assert parallel.together(lambda: "甲", lambda: 2, lambda: None) == ["甲", 2, None]
