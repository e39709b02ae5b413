"""Every static chart has an accessible name (#16): ``ui.plotly_chart`` names each chart it draws (``role="img"``
and an ``aria-label`` set in the browser by ``keys.name_chart``; the browser side is checked in
test_chart_names_browser), said from the figure or given by the page where the figure says too little."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from apptest_util import open_page  # noqa: E402

from playground.app.ui.charts import VAGUE  # noqa: E402
from playground.app.ui.keys import NAMES_KEY  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The pages that draw static charts (st.plotly_chart through ui.plotly_chart) when opened.
PAGES = ["activations", "losses", "backprop", "gradients", "perceptron", "generalisation", "data"]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("page", PAGES)
def test_every_static_chart_on_the_page_has_a_meaningful_name(page):
    at = open_page(f"pages/{page}.py", timeout=180)
    charts = at.get("plotly_chart")
    names = at.session_state[NAMES_KEY] if NAMES_KEY in at.session_state else {}
    assert charts and len(names) >= len(charts), (page, len(charts), names)
    for key, name in names.items():
        assert name.strip() and not name.startswith(VAGUE) and len(name) > 20, (key, name)


def test_pages_draw_plotly_charts_only_through_the_naming_wrapper():
    """A chart drawn with st.plotly_chart directly would have no accessible name."""
    sources = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "streamlit_app.py",
               *sorted((ROOT / "playground" / "app" / "ui").glob("*.py"))]
    direct = [f"{p.name}:{n}" for p in sources for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"\.plotly_chart\(", line) and "out = st.plotly_chart(presented(" not in line]
    assert direct == []
    assert "name_chart(key, name)" in (ROOT / "playground/app/ui/charts.py").read_text(encoding="utf-8")
