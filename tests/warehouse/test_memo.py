"""Answers remembered per snapshot connection: asked once, bounded, never an error remembered."""

from __future__ import annotations

import threading
import time

import duckdb
import polars as pl
import pytest

from warehouse import memo


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _asker(log: list[str], name: str, pause: float = 0.0):
    def ask() -> pl.DataFrame:
        log.append(name)
        time.sleep(pause)
        return pl.DataFrame({"answer": [name]})

    return ask


def test_an_answer_is_asked_once_per_connection_and_key(con):
    remembered, log = memo.Memo(4), []
    first = remembered.get(con, "a", _asker(log, "a"))
    again = remembered.get(con, "a", _asker(log, "a again"))
    other = duckdb.connect()
    elsewhere = remembered.get(other, "a", _asker(log, "a elsewhere"))
    other.close()
    assert log == ["a", "a elsewhere"]
    assert again is first and elsewhere["answer"].to_list() == ["a elsewhere"]


def test_the_oldest_answer_makes_way(con):
    remembered, log = memo.Memo(2), []
    for key in ("a", "b", "c", "a"):
        remembered.get(con, key, _asker(log, key))
    assert log == ["a", "b", "c", "a"]  # 'a' was dropped for 'c', so asked again


def test_two_threads_asking_the_same_key_ask_once(con):
    remembered, log = memo.Memo(4), []
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(remembered.get(con, "k", _asker(log, "k", 0.2))))
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log == ["k"] and answers[0] is answers[1]


def test_a_failed_question_is_not_remembered(con):
    remembered, log = memo.Memo(4), []

    def fail() -> pl.DataFrame:
        raise duckdb.IOException("file gone")

    with pytest.raises(duckdb.IOException):
        remembered.get(con, "k", fail)
    assert remembered.get(con, "k", _asker(log, "k"))["answer"].to_list() == ["k"]


def test_forget_drops_every_memo(con):
    remembered, log = memo.Memo(4), []
    remembered.get(con, "k", _asker(log, "first"))
    memo.forget()
    remembered.get(con, "k", _asker(log, "second"))
    assert log == ["first", "second"]
