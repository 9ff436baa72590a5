"""The moving handout's control, style and script: trusted text only, nothing from the spec.

The script reads the grid from a JSON data block, shows the (otherwise hidden) range control,
and on each step replaces only the top-level elements whose ids differ, by HTML that the
handout renderer wrote (it escaped every spec text); figures go in as <img> data: URIs, which
run nothing.  Each step is announced as a ``designkit:scale`` event (detail: scale, label), which
the practice appendix follows.  The position lives in the URL fragment: ``handout.html#scale=10x``.
"""

from __future__ import annotations


from ..markdown import escape_html

DATA_ID = "designkit-moving-data"


def control(count: int, start: int, label: str) -> str:
    """The range control before <main>: hidden until the script shows it, so without JS nothing changes."""
    return (f'<nav id="designkit-moving" class="moving" hidden aria-label="Traffic scale">\n'
            f'<label for="designkit-scale">Traffic</label>\n'
            f'<input id="designkit-scale" type="range" min="0" max="{count - 1}" step="1" value="{start}" '
            f'aria-valuetext="{escape_html(label, attribute=True)}">\n'
            f'<output for="designkit-scale">{escape_html(label, attribute=True)}</output>\n'
            f"<span class=\"moving-note\">times the spec's own traffic: every number, table and figure "
            f"follows</span>\n"
            f'<span class="moving-warn" role="status" hidden></span>\n</nav>\n')


CSS = """
.moving { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center;
  gap: 0.4rem 0.9rem; max-width: 52rem; margin: 0 auto; padding: 0.5rem 1.5rem; background: #fff;
  border-bottom: 1px solid var(--line); }
.moving[hidden] { display: none; }
.moving label { font-weight: bold; }
.moving input { flex: 1 1 12rem; accent-color: var(--accent); }
.moving output { font-weight: bold; font-variant-numeric: tabular-nums; min-width: 14rem; }
.moving-note { color: var(--muted); font-size: 0.85rem; }
.moving-warn { flex-basis: 100%; color: #9a3412; font-size: 0.9rem; font-weight: bold; }
.moving-warn[hidden] { display: none; }
html.moving-on { scroll-padding-top: calc(var(--moving-bar, 3rem) + 0.5rem); }   /* #anchors land below the bar */
html.moving-on main > * { content-visibility: auto; contain-intrinsic-size: auto 4rem; }
@media print {
  html.moving-on main > * { content-visibility: visible; }
  .moving { position: static; max-width: none; padding: 0 0 2mm; border: 0; }
  .moving input, .moving-note, .moving-warn { display: none; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var source = document.getElementById("designkit-moving-data");
  var nav = document.getElementById("designkit-moving");
  var main = document.querySelector("main");
  if (!source || !nav || !main) { return; }
  var data = JSON.parse(source.textContent);
  var points = data.points;
  var input = nav.querySelector("input");
  var out = nav.querySelector("output");
  var tpl = document.createElement("template");
  var keys = new WeakMap();
  var uris = {};
  var current = data.start;
  var first = points[current].body;
  var kids = main.children;
  if (kids.length === first.length) {
    for (var i = 0; i < kids.length; i++) { keys.set(kids[i], first[i]); }
  }
  var warn = nav.querySelector(".moving-warn");
  var number = /^([0-9]*\\.?[0-9]+(?:e[+-]?[0-9]+)?)x?$/i;

  function make(id) {
    tpl.innerHTML = data.elements[id].map(function (b) { return data.blocks[b]; }).join("");
    var el = tpl.content.firstElementChild;
    keys.set(el, id);
    return el;
  }

  function figure(p, name) {
    var key = p + ":" + name;
    if (!uris[key]) {
      var svg = points[p].figures[name].map(function (l) { return data.lines[l]; }).join("\\n");
      uris[key] = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    }
    return uris[key];
  }

  function render(p) {
    var body = points[p].body;
    var old = Array.prototype.slice.call(main.children);
    var spare = new Map();
    old.forEach(function (el) {
      var id = keys.get(el);
      if (id === undefined) { return; }
      if (!spare.has(id)) { spare.set(id, []); }
      spare.get(id).push(el);
    });
    var wanted = body.map(function (id) {
      var reuse = spare.get(id);
      return reuse && reuse.length ? reuse.shift() : make(id);
    });
    var placed = new Set(wanted);
    old.forEach(function (el) { if (!placed.has(el)) { el.remove(); } });
    var ref = main.firstElementChild;
    wanted.forEach(function (el) {
      if (el === ref) { ref = ref.nextElementSibling; } else { main.insertBefore(el, ref); }
    });
    var imgs = main.querySelectorAll("img[data-figure]");
    for (var j = 0; j < imgs.length; j++) {
      var img = imgs[j];
      var name = img.getAttribute("data-figure");
      if (points[p].figures[name] && img.getAttribute("data-point") !== String(p)) {
        img.src = figure(p, name);
        img.setAttribute("data-point", String(p));
      }
    }
  }

  function say(text) { warn.textContent = text; warn.hidden = !text; }

  function step(p) { return "\u00d7" + points[p].scale.replace(/x$/, ""); }

  function go(p, write) {
    p = Math.max(0, Math.min(points.length - 1, p));
    say("");
    if (p !== current) { render(p); current = p; }
    input.value = String(p);
    out.textContent = points[p].label;
    input.setAttribute("aria-valuetext", points[p].label);
    /* other parts of the page (the practice appendix) follow the scale too */
    document.dispatchEvent(new CustomEvent("designkit:scale",
                                           { detail: { scale: points[p].scale, label: points[p].label } }));
    if (write) {
      var hash = "#scale=" + points[p].scale;
      if (location.hash !== hash) {
        try { history.replaceState(null, "", hash); } catch (e) { location.hash = hash; }
      }
    }
  }

  /* the step a #scale= fragment asks for, and what the bar says when it cannot show it as written;
     null for any other fragment (an in-page link keeps the position) */
  function fromHash() {
    var m = /^#scale=(.*)$/i.exec(location.hash);
    if (!m) { return null; }
    var raw = m[1];
    try { raw = decodeURIComponent(raw); } catch (e) { /* shown as written */ }
    var shown = raw.length > 24 ? raw.slice(0, 24) + "\u2026" : raw;
    var n = number.exec(raw.trim());
    var want = n ? parseFloat(n[1]) : NaN;
    if (!(want > 0 && isFinite(want))) {
      return { p: current, warn: "\u201c" + shown + "\u201d is not a traffic scale (write it like #scale=10x): showing "
                                 + step(current) };
    }
    var best = 0;
    var gap = Infinity;
    points.forEach(function (pt, i) {
      var d = Math.abs(Math.log(parseFloat(pt.scale)) - Math.log(want));
      if (d < gap) { gap = d; best = i; }
    });
    var low = parseFloat(points[0].scale);
    var high = parseFloat(points[points.length - 1].scale);
    if (want < low * (1 - 1e-9) || want > high * (1 + 1e-9)) {
      return { p: best, warn: shown.replace(/x?$/i, "x") + " is outside this handout's range (" + step(0) + " to "
                              + step(points.length - 1) + "): showing " + step(best) };
    }
    return { p: best, warn: "" };
  }

  /* go where the fragment says, say what could not be shown, and correct the URL to the step shown */
  function follow() {
    var at = fromHash();
    if (at === null) { return false; }
    go(at.p, false);
    say(at.warn);
    var hash = "#scale=" + points[at.p].scale;
    if (location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (e) { /* a file: URL in an old browser */ }
    }
    return true;
  }

  input.addEventListener("input", function () { go(parseInt(input.value, 10), true); });
  window.addEventListener("hashchange", follow);
  nav.hidden = false;
  /* the bar's height (it wraps on a narrow screen) is how far below the top an #anchor lands */
  function bar() { document.documentElement.style.setProperty("--moving-bar", nav.offsetHeight + "px"); }
  bar();
  if (window.ResizeObserver) { new ResizeObserver(bar).observe(nav); }
  document.documentElement.classList.add("moving-on");   /* off-screen elements skip layout on each step */
  if (!follow()) { go(data.start, false); }
  window.designkitMoving = { go: function (p) { go(p, true); }, count: points.length };
})();
"""
