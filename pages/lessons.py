"""Lessons: short guided tasks, each opening the right page and settings, with goals the app checks.

Thin page: the lessons, their goals and checks live in ``playground.teach.lessons``.
"Check my result" reads what the learner built on the other pages from the
session (the Playground's ``pg.session``, the Perceptron page's ``perc.model``)
and runs the lesson's check; a quiz reads the answer picked here.
``/lessons?lesson=<id>`` puts that lesson first (the link a teacher hands out).
The "Debug the network" view holds the puzzles (``playground.teach.puzzles``): a broken
setup to open, a diagnosis to pick, and "Check my fix", which trains the
Playground's current setup from its seed and judges it by its effect.
``/lessons?puzzle=<id>`` opens that view with that puzzle first.
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.teach.lessons import LESSONS, class_link, lesson_state, solution_text
from playground.app.pages import PAGES
from playground.base.text import escape_markdown
from playground.app.ui import app_url, entry_guard
from playground.teach.puzzles import DIAGNOSES, PUZZLES, check_fix, fix_text, goal_text

entry_guard()

K = "ls."  # session-state namespace
ss = st.session_state
ss.setdefault(K + "done", set())  # ids of lessons passed in this session
ss.setdefault(K + "results", {})  # id -> GoalResult of the last check
ss.setdefault(K + "solved", set())  # ids of puzzles solved in this session
ss.setdefault(K + "fixes", {})  # puzzle id -> PuzzleResult of the last check
PAGE_PATHS = {p.url: p.path for p in PAGES}


def _check(lesson_id: str) -> None:
    """Run the lesson's check on the learner's current state (idempotent: a double click checks twice)."""
    lesson = LESSONS[lesson_id]
    result = lesson.check(lesson_state(lesson, ss, ss.get(K + f"quiz.{lesson_id}")))
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


def _check_puzzle(puzzle_id: str) -> None:
    """Train the Playground's current setup and judge the fix by its effect (a few tenths of a second)."""
    pg = ss.get("pg.session")
    cfg = getattr(pg, "cfg", None)
    result = check_fix(PUZZLES[puzzle_id], cfg, ss.get(K + f"diag.{puzzle_id}"),
                       user_data=getattr(pg, "data", None) is not None)
    ss[K + "fixes"][puzzle_id] = result
    if result.passed and puzzle_id not in ss[K + "solved"]:
        ss[K + "solved"].add(puzzle_id)
        ss[K + "celebrate_puzzle"] = puzzle_id


def _puzzle_card(p, focus: bool) -> None:
    solved = p.id in ss[K + "solved"]
    with st.container(border=True):
        badge = (" :green-badge[:material/check_circle: Fixed]" if solved
                 else " :blue-badge[:material/star: This puzzle]" if focus else "")
        st.subheader(f":material/bug_report: {p.title}{badge}", anchor=False)
        st.markdown(f"**Symptom** · {p.symptom}")
        st.markdown("**Goal** · change the setup on the Playground until, trained "
                    f"{p.epochs} epochs from its seed, it reaches {goal_text(p)}.")
        st.radio("What is wrong?", list(DIAGNOSES), index=None, key=K + f"diag.{p.id}", format_func=DIAGNOSES.get)
        b = st.columns(2, vertical_alignment="center")
        b[0].page_link(PAGE_PATHS["play"], label="Open the broken setup", icon=":material/open_in_new:",
                       query_params=dict(parse_qsl(p.query)), width="stretch")
        b[1].button("Check my fix", key=K + f"fix.{p.id}", on_click=_check_puzzle, args=(p.id,), type="primary",
                    icon=":material/task_alt:", width="stretch",
                    help="Trains the Playground's current setup from epoch 0 with its seed and measures the result.")
        result = ss[K + "fixes"].get(p.id)
        if result is not None:
            if result.rows:
                st.table({"measured": [r[0] for r in result.rows], "value": [r[1] for r in result.rows],
                          "goal": [r[2] for r in result.rows], "met": ["yes" if r[3] else "no" for r in result.rows]})
            if result.diagnosis_ok is not None:
                st.caption("Diagnosis: " + ("right." if result.diagnosis_ok else "not the cause."))
            if result.passed:
                st.success(f"Fixed! {escape_markdown(result.detail)}", icon=":material/celebration:")
                st.info(p.explanation, icon=":material/lightbulb:")
            else:
                st.warning(f"Not yet. {escape_markdown(result.detail)}", icon=":material/pending:")
        with st.expander("Hint"):
            st.markdown(p.hint)
        with st.expander("Teacher's notes: one fix"):
            st.markdown(f"{DIAGNOSES[p.diagnosis]}. One fix: {fix_text(p)}. Any other setup that reaches the goal "
                        "passes too: the check measures the run, not the settings.")


def _puzzles() -> None:
    st.caption("Each puzzle opens the Playground with a setup that trains badly for one reason. Train it, find "
               "out why, fix it there, then come back: **Check my fix** trains your setup and measures the result.")
    n = len(ss[K + "solved"])
    st.progress(n / len(PUZZLES), text=f"{n} of {len(PUZZLES)} puzzles fixed")
    solved = ss.pop(K + "celebrate_puzzle", None)
    if solved:
        st.toast(f"{PUZZLES[solved].title}: fixed!", icon=":material/celebration:")
    focus = st.query_params.get("puzzle")
    focus = focus if focus in PUZZLES else None
    order = ([PUZZLES[focus]] if focus else []) + [p for p in PUZZLES.values() if p.id != focus]
    for row in range(0, len(order), 2):
        for col, p in zip(st.columns(2, gap="medium"), order[row:row + 2]):
            with col:
                _puzzle_card(p, p.id == focus)


# ----- page -------------------------------------------------------------------------------------------
st.title("Lessons")
st.caption("Short guided lessons, in the order of the story: from one neuron to deep networks on real data. "
           "Each opens the right page with its settings; do the task there, then come back and press "
           "**Check my result**.")

view = st.segmented_control("Show", ["Guided lessons", "Debug the network"], label_visibility="collapsed",
                            default="Debug the network" if "puzzle" in st.query_params else "Guided lessons",
                            key=K + "view")
if view == "Debug the network":
    _puzzles()
    st.stop()

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
