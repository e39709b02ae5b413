"""Widget callbacks survive a rerun that arrives while they run (``playground.ui.uninterrupted``).

In a real server a live fragment's run can carry a changed control while the
control's own page rerun is already waiting. Streamlit then stops the callback at
its first ``st.session_state`` access and treats it as the callback asking for a
rerun: the change is lost although the control shows it (tests/stress_controls.py
found it in the browser). Here the waiting rerun is put in place just before the
callback runs, under AppTest's real script runner.
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st
    from streamlit.runtime.scriptrunner import RerunData
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from playground.ui import uninterrupted

    def after_a_waiting_rerun(callback):
        """Run ``callback`` the way it runs when another rerun request is already waiting."""
        def run():
            ctx = get_script_run_ctx()
            ctx.script_requests.request_rerun(RerunData(query_string=ctx.query_string,
                                                        page_script_hash=ctx.page_script_hash))
            callback()
        return run

    def count(name):
        st.session_state[name] = st.session_state.get(name, 0) + 1
        st.session_state[name + " finished"] = True

    st.button("plain", on_click=after_a_waiting_rerun(lambda: count("plain")))
    st.button("wrapped", on_click=after_a_waiting_rerun(uninterrupted(lambda: count("wrapped"))))
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1


def test_a_waiting_rerun_cuts_a_plain_callback_short():
    """What the wrapper is for: Streamlit stops a plain callback at its first session-state access."""
    at = AppTest.from_function(_app, default_timeout=60).run()
    at.button[0].click().run()
    assert "plain" not in at.session_state and "plain finished" not in at.session_state


def test_the_wrapped_callback_runs_whole_and_the_rerun_still_happens():
    at = AppTest.from_function(_app, default_timeout=60).run()
    runs = at.session_state["runs"]
    at.button[1].click().run()
    assert at.session_state["wrapped"] == 1 and at.session_state["wrapped finished"]
    assert at.session_state["runs"] >= runs + 1  # the script ran after the click, as for any click
    assert not at.exception
    at.button[1].click().run()
    assert at.session_state["wrapped"] == 2  # once per click
