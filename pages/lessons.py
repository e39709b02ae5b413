"""Lessons: short guided tasks, each opening the right page and settings, with goals the app checks.

Thin page: the lessons, their goals and checks live in ``playground.lessons``.
"Check my result" reads what the learner built on the other pages from the
session (the Playground's ``pg.session``, the Perceptron page's ``perc.model``)
and runs the lesson's check; a quiz reads the answer picked here.
``/lessons?lesson=<id>`` puts that lesson first (the link a teacher hands out).
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.lessons import LESSONS, class_link, lesson_state, prediction_gate, solution_text
from playground.pages import PAGES
from playground.text import escape_markdown
from playground.ui import app_url, entry_guard

entry_guard()

K = "ls."  # session-state namespace
ss = st.session_state
ss.setdefault(K + "done", set())  # ids of lessons passed in this session
ss.setdefault(K + "results", {})  # id -> GoalResult of the last check
PAGE_PATHS = {p.url: p.path for p in PAGES}


def _check(lesson_id: str) -> None:
    """Run the lesson's check on the learner's current state (idempotent: a double click checks twice)."""
    lesson = LESSONS[lesson_id]
    result = prediction_gate(lesson, ss.get("predict.revealed")) or \
        lesson.check(lesson_state(lesson, ss, ss.get(K + f"quiz.{lesson_id}")))
    ss[K + "results"][lesson_id] = result
    if result.passed and lesson_id not in ss[K + "done"]:
        ss[K + "done"].add(lesson_id)
        ss[K + "celebrate"] = lesson_id


def _app_url() -> str:
    """The app's base URL as the browser sees it (for class links)."""
    return app_url()


def _card(lesson, base_url: str, focus: bool) -> None:
    done = lesson.id in ss[K + "done"]
    with st.container(border=True):
        badge = (" :green-badge[:material/check_circle: Done]" if done
                 else " :blue-badge[:material/star: Today's lesson]" if focus else "")
        st.subheader(lesson.title + badge, anchor=False)
        st.markdown(lesson.story)
        st.markdown(f"**Task** · {lesson.task}")
        st.markdown(f"**Goal** · {lesson.goal}")
        if lesson.source == "quiz":
            st.radio(lesson.question, lesson.choices, index=None, horizontal=True, key=K + f"quiz.{lesson.id}")
        if lesson.predict:
            st.page_link("pages/predict.py", label="Predict first: paint the boundary you expect, then train",
                         icon=":material/psychology:", query_params=dict(parse_qsl(lesson.query, keep_blank_values=True)))
        b = st.columns([1.2, 1.3, 1.1], vertical_alignment="center")
        b[0].page_link(PAGE_PATHS[lesson.page], label="Open lesson", icon=":material/open_in_new:",
                       query_params=dict(parse_qsl(lesson.query, keep_blank_values=True)), width="stretch")
        b[1].button("Check my answer" if lesson.source == "quiz" else "Check my result", key=K + f"check.{lesson.id}",
                    on_click=_check, args=(lesson.id,), type="primary", icon=":material/task_alt:", width="stretch")
        with b[2].popover("Class link", icon=":material/share:", width="stretch"):
            st.caption("Hand this link out: it opens the lesson's page with its settings.")
            st.code(class_link(lesson, base_url), language=None, wrap_lines=True)
            st.caption("This lesson's card, to check results:")
            st.code(f"{base_url}/lessons?lesson={lesson.id}", language=None, wrap_lines=True)
        result = ss[K + "results"].get(lesson.id)
        if result is not None and result.passed:
            st.success(f"Goal reached! {escape_markdown(result.detail)}", icon=":material/celebration:")
            st.info(lesson.explanation, icon=":material/lightbulb:")
        elif result is not None:
            st.warning(f"Not yet. {escape_markdown(result.detail)}", icon=":material/pending:")
        with st.expander("Teacher's notes: one solution"):
            st.markdown(solution_text(lesson))


# ----- page -------------------------------------------------------------------------------------------
st.title("Lessons")
st.caption("Short guided lessons, in the order of the story: from one neuron to deep networks on real data. "
           "Each opens the right page with its settings; do the task there, then come back and press "
           "**Check my result**.")

lessons = list(LESSONS.values())
n_done = sum(lesson.id in ss[K + "done"] for lesson in lessons)
st.progress(n_done / len(lessons), text=f"{n_done} of {len(lessons)} lessons done")

celebrate = ss.pop(K + "celebrate", None)
if celebrate:
    st.balloons()
    st.toast(f"{LESSONS[celebrate].title}: goal reached!", icon=":material/celebration:")

focus = st.query_params.get("lesson")
if focus not in LESSONS:
    focus = None
order = ([LESSONS[focus]] if focus else []) + [lesson for lesson in lessons if lesson.id != focus]
base_url = _app_url()
for row in range(0, len(order), 2):  # row by row, so neighbouring cards start level
    for col, lesson in zip(st.columns(2, gap="medium"), order[row:row + 2]):
        with col:
            _card(lesson, base_url, lesson.id == focus)
