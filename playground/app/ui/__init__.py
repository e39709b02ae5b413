"""Streamlit glue: the one part of ``playground`` that imports streamlit, for every page.

* ``charts``: ``live_plotly``, Plotly figures updated in place in the browser (``assets/live_plotly.js``),
  with clicks and the tab's visibility reported back; ``live_feed``, a live page's frame as one element that
  brings its views (charts, the row of metrics) what changed (``chart_update``, ``metrics_update``); and
  ``plotly_chart`` for charts drawn once a run;
* ``live_common``: what the live elements share with their browser half (the JavaScript modules, stamps);
* ``present``: presentation mode on every page (``present_switch``, drawn by the entry script; ``presenting``)
  and ``data_table``, a page's table as this session shows it;
* ``live``: ``live_fragment`` (the ticking view of a live page), ``train_after_drawing``, ``yield_point``,
  ``uninterrupted`` callbacks and ``transport_bar`` (Play, Pause, Step, Reset, written once for every page
  that trains);
* ``keys``: keyboard shortcuts (``keyboard_shortcuts``) and the screen readers' announcer (``announce``), alone
  or with a live page's row of metrics (``live_metrics``);
* ``server``: the server's sessions (``server_session``, ``claim_training``), hidden and closed tabs, and who
  sees the teacher tools (``teacher_view``, ``teacher_tools_note``);
* ``store``: ``browser_store``, one small JSON value kept in the browser's localStorage
  (``assets/browser_store.js``);
* ``links``: the address bar (``address``, ``stale_address``, ``note_page_run``) and full links to copy (``app_url``, ``page_url``),
  and ``entry_guard``;
* ``rooms``: a student's side of a room (joining, status reports, the teacher's pushes);
* ``play_state`` and ``play_panels``: the Playground page's link-and-widget state and its control panels.
"""
from playground.app.ui.charts import chart_patch, chart_update, live_feed, live_plotly, plotly_chart, tab_hidden
from playground.app.ui.keys import (SHORTCUT_KEYS, SHORTCUTS_HELP, announce, keyboard_shortcuts, live_metrics,
                                    metrics_update)
from playground.app.ui.links import address, app_url, entry_guard, note_page_run, page_url, stale_address, wrote_address
from playground.app.ui.live import (app_style, fragment_rerun, live_fragment, steady_live_views, train_after_drawing,
                                    transport_bar, uninterrupted, yield_point)
from playground.app.ui.present import data_table, page_params, present_switch, presenting
from playground.app.ui.rooms import (enter_room, join_setup, predictions_view, room_member, room_prediction, room_redirect,
                                     room_student)
from playground.app.ui.server import claim_training, server_session, teacher_tools_note, teacher_view
from playground.app.ui.store import browser_store

__all__ = ["live_plotly", "chart_patch", "chart_update", "live_feed", "metrics_update", "fragment_rerun", "tab_hidden", "live_fragment", "train_after_drawing", "yield_point", "entry_guard",
           "steady_live_views", "app_style", "present_switch", "presenting", "page_params", "data_table", "plotly_chart", "uninterrupted", "address", "wrote_address", "stale_address",
           "note_page_run", "app_url", "page_url", "server_session", "claim_training", "transport_bar",
           "room_redirect", "join_setup", "enter_room", "room_member", "room_student", "room_prediction", "predictions_view",
           "announce", "live_metrics", "keyboard_shortcuts", "SHORTCUT_KEYS", "SHORTCUTS_HELP", "teacher_view", "teacher_tools_note",
           "browser_store"]
