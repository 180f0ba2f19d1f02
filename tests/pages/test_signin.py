"""The import sign-in: guesses slowed per client and stopped overall, a misconfigured password explained."""

from __future__ import annotations

import pytest

from pages.ui import signin
from pages.ui.signin import (
    FIRST_WAIT,
    FREE_FAILURES,
    GLOBAL_FAILURES,
    GLOBAL_LOCK,
    MAX_WAIT,
    Throttle,
)

PASSWORD = "长密码-for-tests"


class Clock:
    """A monotonic clock the test moves by hand; nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    """The dashboard's shared throttle, fresh and on a hand-moved clock."""
    signin.throttle.clear()
    fake = Clock()
    signin.throttle().clock = fake
    yield fake
    signin.throttle.clear()


def test_a_client_may_fail_a_few_times_then_waits_longer_each_time():
    clock = Clock()
    throttle = Throttle(clock)
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("a")
        assert throttle.wait("a") == 0
    waits = []
    for _ in range(8):
        throttle.failed("a")
        waits.append(throttle.wait("a"))
        clock.now += waits[-1]
    assert waits[:3] == [FIRST_WAIT, 2 * FIRST_WAIT, 4 * FIRST_WAIT] and max(waits) == MAX_WAIT
    assert throttle.wait("b") == 0, "another client is not slowed by this one"
    throttle.succeeded("a")
    assert throttle.wait("a") == 0


def test_many_failures_from_many_clients_lock_everyone():
    clock = Clock()
    throttle = Throttle(clock)
    for n in range(GLOBAL_FAILURES):
        throttle.failed(f"client-{n}")
        clock.now += 1
    assert throttle.wait("newcomer") == pytest.approx(GLOBAL_LOCK - 1)
    clock.now += GLOBAL_LOCK
    assert throttle.wait("newcomer") == 0


def _sign_in_page(dashboard, root, secret):
    at = dashboard(root)
    at.secrets["upload_password"] = secret
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _try(at, password: str):
    at.main.text_input[0].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return [e.value for e in at.error]


def test_after_repeated_failures_even_the_right_password_waits(dashboard, tmp_path, clock):
    at = _sign_in_page(dashboard, tmp_path / "wh", PASSWORD)
    for _ in range(FREE_FAILURES):
        assert _try(at, "猜的") == ["密码不正确。"]
    assert _try(at, PASSWORD) == ["尝试次数过多，请 30 秒后再试。"]
    assert not at.file_uploader
    clock.now += FIRST_WAIT
    assert _try(at, PASSWORD) == []
    assert at.file_uploader


def test_a_password_that_is_not_text_is_a_configuration_message(dashboard, tmp_path, clock):
    at = _sign_in_page(dashboard, tmp_path / "wh", 12345678)
    assert [e.value for e in at.error] == [signin.NOT_TEXT]
    assert not at.main.text_input and not at.file_uploader
