"""Password sign-in for importing; viewing never asks. Guessing is slowed per client and stopped overall.

A client (its IP address as Streamlit sees it) may fail `FREE_FAILURES` times; then it waits,
`FIRST_WAIT` seconds doubling with each further failure up to `MAX_WAIT`. Behind a proxy every
client shares one address, and an attacker can change address, so all failures also count
together: `GLOBAL_FAILURES` within `GLOBAL_WINDOW` lock sign-in for everyone for `GLOBAL_LOCK`.
While a wait or lock lasts even the right password is refused, unchecked. The record lives in
`st.cache_resource`, so it spans sessions and reloads; it is kept in memory only, so a restart
of the server clears it (as it ends every session).
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

FREE_FAILURES = 5
FIRST_WAIT = 30.0
MAX_WAIT = 15 * 60.0
GLOBAL_WINDOW = 10 * 60.0
GLOBAL_FAILURES = 30
GLOBAL_LOCK = 15 * 60.0
FORGET_AFTER = 60 * 60.0  # a client quiet this long starts afresh (and its record is dropped)

NOT_TEXT = ("导入密码配置有误：`.streamlit/secrets.toml` 中的 upload_password 必须是加引号的文本，"
            "例如 `upload_password = \"请换成足够长的密码\"`。修改后刷新本页。")  # fmt: skip


@dataclass
class _Client:
    failures: int = 0
    until: float = 0.0
    last: float = 0.0


class Throttle:
    """Failed sign-ins per client and overall, on a monotonic clock (injectable for tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._recent: deque[float] = deque()
        self._locked_until = 0.0

    def wait(self, client: str) -> float:
        """Seconds before `client` may try again; 0 when it may try now."""
        with self._lock:
            now = self.clock()
            record = self._clients.get(client)
            return max(self._locked_until - now, (record.until if record else 0.0) - now, 0.0)

    def failed(self, client: str) -> None:
        """Count a wrong password: the client's back-off and the global window both grow."""
        with self._lock:
            now = self.clock()
            self._forget_quiet(now)
            record = self._clients.setdefault(client, _Client())
            record.failures, record.last = record.failures + 1, now
            if record.failures >= FREE_FAILURES:
                record.until = now + min(FIRST_WAIT * 2 ** (record.failures - FREE_FAILURES), MAX_WAIT)
            self._recent.append(now)
            while self._recent[0] <= now - GLOBAL_WINDOW:
                self._recent.popleft()
            if len(self._recent) >= GLOBAL_FAILURES:
                self._locked_until = now + GLOBAL_LOCK
                self._recent.clear()

    def succeeded(self, client: str) -> None:
        """The right password: the client starts afresh (the global window is left as it is)."""
        with self._lock:
            self._clients.pop(client, None)

    def _forget_quiet(self, now: float) -> None:
        """Drop clients quiet for `FORGET_AFTER`, so many addresses cannot grow the record without end."""
        for client in [c for c, r in self._clients.items() if r.last <= now - FORGET_AFTER]:
            del self._clients[client]


@st.cache_resource
def throttle() -> Throttle:
    """The one record of failed sign-ins, shared by every session of this server."""
    return Throttle()


def upload_password() -> object | None:
    """The configured password (st.secrets `upload_password`); None where none is configured.

    Returned as configured: a number written without quotes is not a password, and
    `signed_in` says so instead of failing.
    """
    try:
        value = st.secrets.get("upload_password")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return None if value is None or value == "" else value


def _client() -> str:
    """Who is signing in, as far as the server can tell (one bucket where the address is unknown)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"


def _wait_text(seconds: float) -> str:
    if seconds < 60:
        return f"{math.ceil(seconds)} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


def signed_in() -> bool:
    """Password sign-in for importing; viewing never asks."""
    if st.session_state.get("_signed_in"):
        return True
    password = upload_password()
    if not isinstance(password, str):
        st.error(NOT_TEXT)
        return False
    with st.form("sign-in"):
        given = st.text_input("导入密码", type="password")
        if st.form_submit_button("登录"):
            _check(given, password)
    return False


def _check(given: str, password: str) -> None:
    """Sign in with `given`, unless this client (or everyone) must wait first."""
    record, client = throttle(), _client()
    waiting = record.wait(client)
    if waiting > 0:
        st.error(f"尝试次数过多，请 {_wait_text(waiting)}后再试。")
        return
    if hmac.compare_digest(given.encode(), password.encode()):
        record.succeeded(client)
        st.session_state["_signed_in"] = True
        st.rerun()
    record.failed(client)
    st.error("密码不正确。")
