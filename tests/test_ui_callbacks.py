"""Widget callbacks survive a rerun that arrives while they run (``playground.app.ui.uninterrupted``).

In a real server a live fragment's run can carry a changed control while the
control's own page rerun arrives: before the callback starts or while it runs.
Streamlit then stops the callback at its next ``st.session_state`` access and
treats it as the callback asking for a rerun: the change is lost although the
control shows it (bench/stress_controls.py found it in the browser). Here the
rerun request is made at those two moments, under AppTest's real script runner.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import button as _button


def _app():
    import streamlit as st
    from streamlit.runtime.scriptrunner import RerunData, get_script_run_ctx

    from playground.app.ui import uninterrupted

    def arrive():
        """Another rerun request comes in (a click's page rerun, in the server)."""
        ctx = get_script_run_ctx()
        ctx.script_requests.request_rerun(RerunData(query_string=ctx.query_string,
                                                    page_script_hash=ctx.page_script_hash))

    def count(name, before: bool):
        if before:
            arrive()
        n = st.session_state.get(name, 0)  # a read, then a write: two points where a run can stop
        if not before:
            arrive()
        st.session_state[name] = n + 1
        st.session_state[name + " finished"] = True

    def nested(name):  # a wrapped callback calling another wrapped function keeps its protection
        uninterrupted(lambda: None)()
        count(name, False)

    for when in ("before", "during"):
        st.button(f"plain {when}", on_click=lambda w=when: count(f"plain {w}", w == "before"))
        st.button(f"wrapped {when}", on_click=uninterrupted(lambda w=when: count(f"wrapped {w}", w == "before")))
    st.button("nested", on_click=uninterrupted(lambda: nested("nested")))
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1


@pytest.mark.parametrize("when", ["before", "during"])
def test_a_rerun_request_cuts_a_plain_callback_short(when):
    """What the wrapper is for: Streamlit stops a plain callback at its next session-state access."""
    at = AppTest.from_function(_app, default_timeout=60).run()
    _button(at, f"plain {when}").click().run()
    assert f"plain {when} finished" not in at.session_state


@pytest.mark.parametrize("label", ["wrapped before", "wrapped during", "nested"])
def test_the_wrapped_callback_runs_whole_and_the_rerun_still_happens(label):
    at = AppTest.from_function(_app, default_timeout=60).run()
    runs = at.session_state["runs"]
    _button(at, label).click().run()
    assert at.session_state[label] == 1 and at.session_state[label + " finished"]
    assert at.session_state["runs"] >= runs + 1  # the script ran after the click, as for any click
    assert not at.exception
    _button(at, label).click().run()
    assert at.session_state[label] == 2  # once per click
