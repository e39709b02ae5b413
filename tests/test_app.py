"""The app shell: every page in the registry runs under AppTest without an exception."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.app.pages import PAGES, available

ROOT = Path(__file__).resolve().parent.parent


def test_entry_script_runs():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Neural Playground" in t.value for t in at.title)


@pytest.mark.parametrize("spec", available(ROOT), ids=lambda s: s.url)
def test_page_runs_via_navigation(spec):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90).run()
    at.switch_page(spec.path).run()
    assert not at.exception, [e.value for e in at.exception]


def test_registry_is_consistent():
    assert len({p.url for p in PAGES}) == len(PAGES) and len({p.path for p in PAGES}) == len(PAGES)


def test_server_config_turns_off_the_message_cache():
    """.streamlit/config.toml: no element is sent "by hash" (the browser may have dropped it meanwhile)."""
    import tomllib

    from streamlit import config
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.forward_msg_cache import populate_hash_if_needed

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    def cacheable(min_size) -> bool:
        msg = ForwardMsg()
        msg.delta.new_element.markdown.body = "x" * 200_000  # a large element, like a live chart's data
        old = config.get_option("global.minCachedMessageSize")
        config.set_option("global.minCachedMessageSize", min_size)
        try:
            populate_hash_if_needed(msg)
        finally:
            config.set_option("global.minCachedMessageSize", old)
        return msg.metadata.cacheable

    assert cacheable(10e3)  # Streamlit's default caches it
    assert not cacheable(settings["global"]["minCachedMessageSize"])
