"""Room: the teacher's live view of the class; students join here with the room's code.

Thin page: ``playground.teach.rooms`` keeps rooms in the database (any worker serves any
student), ``playground.teach.goals`` checks challenges and orders the leaderboard,
``playground.viz.roomviews`` reads statuses and rebuilds a student's run for the projector.
The teacher key arrives in the link (``/room?key=…``) and is taken out of the address
bar at once: the teacher's screen is projected.
"""
import time

import streamlit as st

from playground.viz.boundary import boundary_figure
from playground.viz.curves import loss_figure
from playground.teach import goals
from playground.teach import rooms
from playground.viz import roomviews
from playground.run import views
from playground.teach.lessons import LESSONS
from playground.base.text import escape_markdown
from playground.app.ui import entry_guard, enter_room, join_setup, page_url, plotly_chart, predictions_view, room_member

entry_guard()

K = "room."
ss = st.session_state
SORTS = {"Joined": None, "Nickname": "nickname", "Test loss": "test_loss", "Test accuracy": "test_metric",
         "Epoch": "epoch"}
PER_ROW = 6
VIEWS = ("Runs", "Predictions")  # every student's run; their painted predictions beside the truth
SNAPSHOT_WAIT_S = 20.0
NB = "\u00a0"  # a no-break space: a card's "test loss 0.0241" stays on one line

try:
    store = rooms.open_store()
except rooms.RoomError as e:
    st.error(f"Rooms are not available on this server: {escape_markdown(e)}")
    st.stop()

if "key" in st.query_params:  # read once, then out of the address bar (the screen is projected)
    typed = st.query_params["key"]
    del st.query_params["key"]
    if store.room_for_key(typed) is not None:
        ss[K + "key"] = typed
    else:
        st.error("This teacher link does not open a room: the key was rotated or the room has expired.")
key = ss.get(K + "key")
room = store.room_for_key(key) if key else None


# ----- students: join with the code; teachers: open a room -------------------------------------------
def _join() -> None:
    try:
        member = store.join(ss.get(K + "code", ""), ss.get(K + "nick", ""))
    except rooms.RoomError as e:
        ss[K + "join_error"] = str(e)
        return
    ss[K + "joined"] = (member, store.room(member.code), ss.get(K + "setup", ""))


def _open_room() -> None:
    new, ss[K + "key"] = store.create_room()


if room is None:
    if K + "joined" in ss:
        enter_room(*ss.pop(K + "joined"))
    st.title("Room")
    me = room_member()
    if me is not None:
        st.success(escape_markdown(f"You are in room {me.code} as {me.nickname}."))
        st.page_link("pages/play.py", label="Back to the Playground", icon=":material/hub:")
    st.subheader("Join your class")
    if "join" in st.query_params:
        ss.setdefault(K + "code", rooms.normalize_code(st.query_params["join"]) or "")
        ss[K + "setup"], setup_note = join_setup()  # the student link's setup: the Playground opens on it
        if setup_note:
            st.warning(escape_markdown(setup_note), icon=":material/link_off:")
    with st.form(K + "join_form"):
        st.text_input("Room code", key=K + "code", max_chars=12, placeholder="K7RM4")
        st.text_input("Your nickname", key=K + "nick", max_chars=rooms.MAX_NICKNAME,
                      help="Letters, digits, spaces and . ' - _; your teacher's screen shows it.")
        st.form_submit_button("Join", type="primary", on_click=_join)
    if ss.get(K + "join_error"):
        st.error(escape_markdown(ss.pop(K + "join_error")))
    st.divider()
    st.subheader("Teachers")
    st.write(escape_markdown("Open a room: your students join with its code, and this page shows every student's run "
                             f"live. A room lasts {store.limits.hours:g} hours and holds up to {store.limits.cap} "
                             "students."))
    st.button("Open a room", icon=":material/add:", on_click=_open_room)
    st.stop()


# ----- the teacher's page ------------------------------------------------------------------------------
def _rotate() -> None:
    ss[K + "key"] = store.rotate_key(ss[K + "key"])


def _push_link() -> None:
    query, warnings = roomviews.pushable_link(ss.get(K + "link", ""))
    ss[K + "push_msgs"] = warnings
    if query:
        store.push(ss[K + "key"], query)
        ss[K + "push_note"] = "Setup sent to every student."


def _push_lesson() -> None:
    lesson = LESSONS[ss[K + "lesson"]]
    store.push(ss[K + "key"], lesson.query, lesson.id)
    ss[K + "push_msgs"], ss[K + "push_note"] = [], f"Lesson “{lesson.title}” sent to every student."


def _set_challenge(text: str) -> None:
    try:
        goal_text = goals.parse_goal(text).text if text else ""
    except goals.GoalError as e:
        ss[K + "goal_error"] = str(e)
        return
    store.set_challenge(ss[K + "key"], goal_text)


def _project(member_id: str, nickname: str) -> None:
    ss[K + "project"] = (member_id, nickname, store.request_snapshot(ss[K + "key"], member_id))
    ss.pop(K + "proj_run", None)


st.title(f"Room {escape_markdown(room.code)}")
top = st.columns([3, 2])
student_link = page_url("pages/play.py", f"room={room.code}")
top[0].markdown(f"Students open this link (or the Room page and type the code **{escape_markdown(room.code)}**):")
top[0].code(student_link, language=None)
with top[1].expander("Teacher link (secret: do not project it)", icon=":material/key:"):
    st.caption("Opens this page on another device; keep it to come back. The key leaves the address bar as soon "
               "as the page reads it.")
    if st.toggle("Show the teacher link", key=K + "show_key"):
        st.code(page_url(__file__, f"key={ss[K + 'key']}"), language=None, wrap_lines=True)
    st.button("Rotate the key", on_click=_rotate, help="A new teacher link; the old one stops working at once.")
    st.caption(escape_markdown(f"The room closes {time.strftime('%a %H:%M', time.localtime(room.expires))}."))


@st.fragment(run_every=1.0)
def projector() -> None:
    if K + "project" not in ss:
        return
    member_id, nick, since = ss[K + "project"]
    head = st.columns([5, 1])
    head[1].button("Close", key=K + "close_proj", on_click=lambda: ss.pop(K + "project", None))
    run = ss.get(K + "proj_run")
    if run is None:
        got = store.snapshot(key, member_id, since)
        if got is None:
            waited = time.time() - since
            msg = "did not answer: is their Playground still open?" if waited > SNAPSHOT_WAIT_S else \
                "is sending its run…"
            head[0].info(escape_markdown(f"{nick}'s Playground {msg}"))
            return
        made, epoch, link, model = got
        trainer, problem = roomviews.projector_trainer(link, model)
        run = ss[K + "proj_run"] = (trainer, problem, link)
    trainer, problem, link = run
    if trainer is None:
        head[0].warning(escape_markdown(f"{nick}'s run cannot be shown: {problem}"))
        return
    t, h = trainer, trainer.history
    head[0].subheader(escape_markdown(f"{nick}'s run at epoch {t.epoch:,}"))
    grid = views.grid_for(t, 100)
    c = st.columns([1, 1])
    with c[0]:
        plotly_chart(boundary_figure(views.boundary_values(t, grid), grid, (t.train.X, t.train.y), None,
                                     task=t.task, n_classes=t.n_classes, class_names=t.data.class_names),
                     key=K + "proj_boundary", label=f"The student's decision boundary at epoch {t.epoch}, "
                                                    "over the training points")
    with c[1]:
        plotly_chart(loss_figure(h, task=t.task), key=K + "proj_loss", lines=True)
    st.caption("The student's own weights, epoch and data (their model file, fetched now). The same setup from "
               "epoch 0:")
    st.code(page_url("pages/play.py", link), language=None, wrap_lines=True)


projector()


@st.fragment(run_every=2.0)
def class_view() -> None:
    live = store.room_for_key(key)
    if live is None:
        st.warning("This room has expired or its key was rotated elsewhere: open a new room.")
        return
    students = [{"id": r.id, "nickname": r.nickname, "status": roomviews.parse_status(r.status),
                 "solved_version": r.solved_version, "solved_at": r.solved_at, "solved_epoch": r.solved_epoch,
                 "joined": r.joined, "seen": r.seen} for r in store.students(key)]
    bar = st.columns([2, 2, 3])
    view = bar[0].segmented_control("View", VIEWS, key=K + "view", default=VIEWS[0]) or VIEWS[0]
    bar[2].caption(escape_markdown(f"{len(students)} of {live.cap} students · updated {time.strftime('%H:%M:%S')}"))
    if view == "Predictions":
        predictions_view(students, PER_ROW)
        return
    field = SORTS[bar[1].selectbox("Sort by", list(SORTS), key=K + "sort")]
    if field == "nickname":
        students.sort(key=lambda s: s["nickname"].casefold())
    elif field is not None:
        best_high = field in ("test_metric", "epoch")
        students.sort(key=lambda s: (field not in s["status"],
                                     -s["status"].get(field, 0) if best_high else s["status"].get(field, 0)))
    if live.challenge:
        _leaderboard(live, goals.parse_goal(live.challenge), students)
    if not students:
        st.info("No students yet: they open the student link above and type a nickname.")
    for start in range(0, len(students), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, s in zip(cols, students[start:start + PER_ROW]):
            with col.container(border=True, key=f"room_card_{s['id']}"):  # the layout test finds the cards
                _card(s)


def _card(s: dict) -> None:
    st_ = s["status"]
    if st_.get("thumb_png"):
        st.image(st_["thumb_png"], width="stretch")
    st.markdown(f"**{escape_markdown(s['nickname'])}**")
    if not st_:
        st.caption("joined, no run yet")
        return
    acc = st_.get("test_metric")
    acc_text = "" if acc is None else (f" · R²{NB}{acc:.3f}" if st_.get("task") == "regression" else f" · acc{NB}{acc:.1%}")
    loss = st_.get("test_loss")
    idle = time.time() - s["seen"] > rooms.AWAY_SECONDS
    st.caption(escape_markdown(f"{st_.get('summary', '')}") + "  \n" +  # a figure never wraps away from its name
               escape_markdown(f"epoch{NB}{st_.get('epoch', 0):,} · test{NB}loss{NB}{'—' if loss is None else f'{loss:.4f}'}"
                               f"{acc_text}{' · away' if idle else (' · playing' if st_.get('playing') else '')}"))
    st.button("Project", key=f"{K}p{s['id']}", on_click=_project, args=(s["id"], s["nickname"]),
              icon=":material/cast:", width="stretch")


def _leaderboard(live: rooms.Room, goal: goals.Goal, students: list[dict]) -> None:
    standings = goals.leaderboard(students, goal, live.challenge_version, live.challenge_set)
    lines = []
    for s in standings:
        how = s.detail if not s.met else \
            f"reached by epoch {s.solved_epoch:,}, {s.solved_seconds:.0f} s after the challenge was set"
        lines.append(f"{s.rank}. **{escape_markdown(s.nickname)}** — {escape_markdown(how)}")
    with st.container(border=True):
        st.markdown(f"**Challenge:** {escape_markdown(goal.text)}")
        st.markdown("\n".join(lines) or "No students yet.")


class_view()

st.divider()
pc = st.columns(3)
with pc[0]:
    st.subheader("Push a setup")
    st.text_input("A Playground link (or its query)", key=K + "link", max_chars=rooms.MAX_LINK,
                  placeholder="…/play?dataset=spiral&hidden=8,8")
    st.button("Send to every student", key=K + "push", on_click=_push_link, icon=":material/send:")
with pc[1]:
    st.subheader("Push a lesson")
    playground_lessons = [ls.id for ls in LESSONS.values() if ls.page == "play"]
    st.selectbox("Lesson", playground_lessons, key=K + "lesson", format_func=lambda i: LESSONS[i].title)
    st.button("Send the lesson", key=K + "push_lesson", on_click=_push_lesson, icon=":material/school:")
for m in ss.pop(K + "push_msgs", []):
    st.warning(f"Link setting reset: {escape_markdown(m)}")
if ss.get(K + "push_note"):
    st.success(escape_markdown(ss.pop(K + "push_note")))
with pc[2]:
    st.subheader("Challenge")
    st.text_input("Goal", key=K + "goal", max_chars=goals.MAX_TEXT, placeholder=goals.EXAMPLES[0],
                  help="Metrics: test/training loss, accuracy, r2 with < <= > >=; limits: at most N neurons, layers, "
                       "weights or epochs; a dataset: on spiral. Join parts with 'with', 'and' or commas.")
    b = st.columns(2)
    b[0].button("Set the challenge", key=K + "set_goal", on_click=lambda: _set_challenge(ss.get(K + "goal", "")))
    b[1].button("Clear", key=K + "clear_goal", on_click=lambda: _set_challenge(""))
    if ss.get(K + "goal_error"):
        st.error(escape_markdown(ss.pop(K + "goal_error")))
