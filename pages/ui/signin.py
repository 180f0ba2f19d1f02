"""Password sign-in for importing; viewing never asks."""

from __future__ import annotations

import hmac

import streamlit as st


def upload_password() -> str | None:
    """The password that unlocks importing, from st.secrets; None where none is configured."""
    try:
        return st.secrets.get("upload_password") or None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def signed_in() -> bool:
    """Password sign-in for importing; viewing never asks."""
    if st.session_state.get("_signed_in"):
        return True
    with st.form("sign-in"):
        given = st.text_input("导入密码", type="password")
        if st.form_submit_button("登录"):
            if hmac.compare_digest(given.encode(), (upload_password() or "").encode()):
                st.session_state["_signed_in"] = True
                st.rerun()
            st.error("密码不正确。")
    return False
