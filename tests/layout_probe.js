// Layout problems on the page as it is drawn now; used by tests/test_layout_browser.py.
// Returns {problems: [string], charts: [{key, width, height, top, plotHeight, minFont}], tiles: [px],
// tables: [{kind, px}]}: the type of each table shown (an st.table's smallest cell; an st.dataframe's canvas
// grid draws its cells in the type of its "--gdg-base-font-style" style variable).
//
// Truncated text: an element that clips (text-overflow: ellipsis, overflow hidden or clip) whose text is
// wider than its box (scrollWidth > clientWidth), or a label, button or option whose word is split
// across two lines.  Charts: inside each Plotly chart, the title, legend, colour bar, annotations, axis
// titles and each axis's tick labels must lie inside the chart and must not overlap one another; tick
// labels of one axis must not overlap each other.
() => {
  const problems = [];
  const say = (el) => (el.innerText || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || cs.opacity === "0") return false;
    }
    return true;
  };
  const SKIP = ".js-plotly-plot, svg, pre, code, [data-testid=stCode], iframe, canvas, " +
    "[data-testid=stDataFrame], [data-testid=stTable], [data-testid=stImage], .katex, textarea, input";
  const app = document.querySelector("[data-testid=stApp]");

  // ---- text that overflows its box -------------------------------------------------------------
  for (const el of app.querySelectorAll("*")) {
    if (el.closest(SKIP)) continue;
    const cs = getComputedStyle(el);
    const clips = cs.textOverflow === "ellipsis" || cs.overflowX === "hidden" || cs.overflowX === "clip";
    if (!clips || el.scrollWidth <= el.clientWidth + 1 || el.clientWidth < 4) continue;  // < 4 px: screen-reader text
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    // a clipping box whose content is text (its own, or a short run of inline descendants)
    const texty = own || (el.children.length <= 3 && [...el.querySelectorAll("*")].every(
      (c) => getComputedStyle(c).display.startsWith("inline") || c.matches("p, span, div:empty")));
    if (!texty || !say(el) || !shown(el)) continue;
    problems.push(`truncated text "${say(el)}" (${el.scrollWidth} px in ${el.clientWidth} px)`);
  }

  // a select box shows its value in an input: the value must fit
  for (const input of app.querySelectorAll("[data-testid=stSelectbox] input, [data-testid=stMultiSelect] input")) {
    if (input.value && shown(input) && input.scrollWidth > input.clientWidth + 1)
      problems.push(`truncated option "${input.value.slice(0, 50)}" (${input.scrollWidth} px in ${input.clientWidth} px)`);
  }

  // ---- a word of a label, button or option split over two lines ----------------------------------
  const LABELS = "[data-testid=stWidgetLabel], button, [role=option], [role=tab], [data-baseweb=select] div, " +
    "[data-testid=stMetricLabel], [data-testid=stMetricValue], h1, h2, h3, label, [data-testid=stCaptionContainer]";
  const seen = new Set();
  for (const box of app.querySelectorAll(LABELS)) {
    if (box.closest(SKIP) || !shown(box)) continue;
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (seen.has(n) || n.parentElement.closest(SKIP)) continue;
      seen.add(n);
      const text = n.textContent;
      const re = /[^\s\u2014\u2013\-\/]{3,}/g;  // words; breaking at a dash or slash is fine
      let m;
      while ((m = re.exec(text))) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(`word split over two lines: "${m[0]}" in "${say(box)}"`);
      }
    }
  }

  // ---- charts -----------------------------------------------------------------------------------
  const boxOf = (els) => {
    let b = null;
    for (const e of els) {
      const r = e.getBoundingClientRect();
      if (r.width < 0.5 || r.height < 0.5) continue;
      b = b ? {l: Math.min(b.l, r.left), t: Math.min(b.t, r.top), r: Math.max(b.r, r.right), b: Math.max(b.b, r.bottom)}
        : {l: r.left, t: r.top, r: r.right, b: r.bottom};
    }
    return b;
  };
  const overlap = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1.5 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1.5;
  const charts = [];
  const tiles = [];
  for (const plot of document.querySelectorAll(".js-plotly-plot")) {
    if (!shown(plot) || !plot._fullLayout) continue;
    const holder = plot.closest("[class*=st-key-]");
    const key = holder ? [...holder.classList].find((c) => c.startsWith("st-key-")).slice(7) : "chart";
    const svg = plot.querySelector(".main-svg").getBoundingClientRect();
    const frame = {l: svg.left - 1, t: svg.top - 1, r: svg.right + 1, b: svg.bottom + 1};
    const items = [];
    const add = (name, els) => {  // one box per element: tick labels are compared one by one
      const boxes = els.map((e) => boxOf([e])).filter(Boolean);
      if (boxes.length) items.push({name, b: boxOf(els), boxes});
    };
    plot.querySelectorAll(".infolayer text[class$=title], .infolayer .gtitle").forEach((t) => {
      if (t.closest(".colorbar")) return;  // a colour bar's own title belongs to it
      if (t.textContent.trim()) add(`${t.getAttribute("class").split(" ")[0]} "${t.textContent.trim().slice(0, 30)}"`, [t]);
    });
    plot.querySelectorAll(".infolayer .legend").forEach((g) => add("legend", [g.querySelector(".bg") || g]));
    plot.querySelectorAll(".infolayer .colorbar").forEach((g) => add("colour bar", [g]));
    plot.querySelectorAll(".annotation").forEach((a) => {
      if (a.textContent.trim()) add(`annotation "${a.textContent.trim().slice(0, 30)}"`, [a.querySelector(".annotation-text-g") || a]);
    });
    const ticks = {};
    plot.querySelectorAll(".xaxislayer-above > g, .yaxislayer-above > g").forEach((g) => {
      const axis = (g.getAttribute("class") || "").split(" ")[0];  // xtick, y2tick, ...
      const t = g.querySelector("text");
      if (t && t.textContent.trim() && getComputedStyle(g).opacity !== "0") (ticks[axis] = ticks[axis] || []).push(t);
    });
    for (const [axis, texts] of Object.entries(ticks)) {
      add(`${axis} labels`, texts);
      const boxes = texts.map((t) => ({t: t.textContent, b: boxOf([t])})).filter((x) => x.b);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          if (overlap(boxes[i].b, boxes[j].b))
            problems.push(`chart ${key}: ${axis} labels "${boxes[i].t}" and "${boxes[j].t}" overlap`);
    }
    for (const it of items) {
      const b = it.b;
      if (b.l < frame.l || b.t < frame.t || b.r > frame.r || b.b > frame.b)
        problems.push(`chart ${key}: ${it.name} is cut by the chart's edge`);
    }
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++)
        if (items[i].boxes.some((a) => items[j].boxes.some((b) => overlap(a, b))))
          problems.push(`chart ${key}: ${items[i].name} overlaps ${items[j].name}`);
    const sizes = [...plot.querySelectorAll(".infolayer text, .infolayer tspan[style*=px], .xaxislayer-above text, .yaxislayer-above text, .annotation text, .textpoint text")]
      .filter((t) => t.textContent.trim()).map((t) => parseFloat(getComputedStyle(t).fontSize));
    const area = plot.querySelector(".nsewdrag");
    charts.push({key, height: Math.round(svg.height), width: Math.round(svg.width), top: Math.round(svg.top),
                 plotHeight: area ? Math.round(area.getBoundingClientRect().height) : 0,
                 minFont: sizes.length ? Math.min(...sizes) : 0});
    if (key === "pg_network")
      plot.querySelectorAll(".imagelayer image").forEach((im) => tiles.push(im.getBoundingClientRect().width));
  }

  // ---- tables -----------------------------------------------------------------------------------
  const tables = [];
  for (const t of app.querySelectorAll("[data-testid=stTable], [data-testid=stDataFrame]")) {
    if (!shown(t)) continue;
    if (t.matches("[data-testid=stTable]")) {
      const sizes = [...t.querySelectorAll("th, td, th *, td *")]  // a cell, or its Markdown, holding text
        .filter((c) => [...c.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .map((c) => parseFloat(getComputedStyle(c).fontSize));
      if (sizes.length) tables.push({kind: "st.table", px: Math.min(...sizes)});
    } else {
      const grid = t.querySelector("[style*='--gdg-base-font-style']");
      const style = grid ? getComputedStyle(grid).getPropertyValue("--gdg-base-font-style") : "";
      const px = /([\d.]+)px/.exec(style);
      tables.push({kind: "st.dataframe", px: px ? parseFloat(px[1]) : 0});
    }
  }
  return {problems: [...new Set(problems)], charts, tiles, tables};
}
