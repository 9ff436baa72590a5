"""The handout's "Practice" appendix: questions with answer boxes checked in the page, no kernel.

The questions, givens and worked answers are plain HTML (escaped), readable without JavaScript
behind ``<details>``; the answer boxes appear only when the one inline script runs.  That script
is allowed by its sha256 in the page's CSP, reads the bank from a ``<script type=
"application/json">`` block (escaped so spec text can never close it) and writes verdicts with
``textContent`` only.  Unit tables, tolerances and slips come from the model, so the page grades
like ``designkit practice``.

A handout that moves carries one bank per point of its scale grid (``Scaled``): the moving
handout's script announces each step with a ``designkit:scale`` event, and this script then
builds the questions of that point (DOM nodes and ``textContent`` only), so the practice asks
and answers the numbers of the scale the page shows.
"""

from __future__ import annotations

import base64
import hashlib
import json

from ..markdown import escape_html
from ...model import quantities as q
from ...model.answers import (BINARY_WINDOW, EXAMPLES, GOOD_FACTOR, LEVEL_WORDS, SHORT_SECONDS,
                             SLIP_WINDOW, WANTED, normalize_name, slip_sentence)
from dataclasses import dataclass

from ...model.questions import NOTHING, Bank, Question

INTRO = ("Work each one out on paper first, then type your answer the way you would say it "
         "(\u201c46K\u201d, \u201c50,000/s\u201d, \u201c0.9 PB\u201d, \u201cabout 1 PB\u201d). "
         "Within 10% is right, within 2\u00d7 a good estimate, the same power of ten the right order "
         "of magnitude; availabilities are compared by their downtime. The answers are in this page: "
         "it is practice, not an exam.")


@dataclass(frozen=True)
class Scaled:
    """The practice of a handout that moves: (scale name, control label, bank) per grid point, and
    the index of the point the page opens at (the spec's own scale)."""

    points: tuple[tuple[str, str, Bank], ...]
    start: int

    @property
    def bank(self) -> Bank:
        """The bank the page shows before its control moves (and without JavaScript)."""
        return self.points[self.start][2]


def question_data(x: Question) -> dict:
    """What the page's script needs to grade one question (numbers in SI units) and to write it
    out again when the scale moves (text, givens, formula, working)."""
    graded = 1 - x.answer if x.unit == "availability" else x.answer
    return {
        "key": x.key, "text": x.text, "givens": [list(pair) for pair in x.givens], "formula": x.formula,
        "working": list(x.working),
        "kind": x.kind, "availability": x.unit == "availability", "answer": graded, "said": x.said,
        "tolerance": x.tolerance, "example": EXAMPLES[x.kind], "wanted": WANTED[x.kind],
        "hints": list(x.hints),
        "slips": [[factor, key, slip_sentence(x, key)] for factor, key in x.slips],
        "choices": [[normalize_name(name), name] for name in x.choices],   # in the spec's order
    }


def page_data(practice: Bank | Scaled) -> dict:
    """The JSON block: the questions and the model's unit tables and grading constants.  For a
    handout that moves, each grid point's questions too: each stored as what differs from the
    start point's question of the same key (most of one stays: its formula, slips, choices), and
    each distinct one once, the points as lists of ids into that pool."""
    bank = practice.bank if isinstance(practice, Scaled) else practice
    start = [question_data(x) for x in bank.questions]
    base = {x["key"]: x for x in start}
    pool: dict[str, int] = {}
    points = []
    for scale, label, each in (practice.points if isinstance(practice, Scaled) else ()):
        ids = []
        for x in each.questions:
            data, was = question_data(x), base.get(x.key, {})
            changed = {k: v for k, v in data.items() if k == "key" or was.get(k) != v}
            ids.append(pool.setdefault(json_block(changed), len(pool)))
        points.append({"scale": scale, "label": label, "questions": ids})
    return {
        "questions": start,
        "points": points, "pool": [json.loads(text) for text in pool],
        "start": practice.start if isinstance(practice, Scaled) else 0,
        "units": {"count": q.COUNT_WORDS, "size": q.SIZE_UNITS, "period": q.RATE_PERIODS,
                  "duration": q.DURATION_UNITS, "short_seconds": SHORT_SECONDS},
        "levels": LEVEL_WORDS, "good": GOOD_FACTOR, "slip_window": SLIP_WINDOW,
        "binary_window": BINARY_WINDOW, "nothing": NOTHING,
        "nothing_words": [normalize_name(w) for w in (NOTHING, "none", "no component", "nothing breaks")],
    }


def json_block(data: dict) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' survives, so nothing can close it."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_hash() -> str:
    """The CSP source that allows SCRIPT and nothing else."""
    digest = hashlib.sha256(SCRIPT.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def csp(base: str) -> str:
    """The handout's CSP with the practice script allowed by its hash."""
    return f"{base}; script-src {script_hash()}"


def _question_html(index: int, x: Question) -> str:
    def e(text):
        return escape_html(text, attribute=True)
    givens = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in x.givens)
    steps = "".join(f"<li>{e(step)}</li>" for step in x.working)
    return (
        f'<li class="practice-q" data-q="{index}">\n'
        f'<p class="practice-text">{e(x.text)}</p>\n'
        f'<table class="practice-givens"><tbody>{givens}</tbody></table>\n'
        f'<div class="practice-box" hidden><label for="practice-answer-{index}">Your answer</label> '
        f'<input type="text" id="practice-answer-{index}" autocomplete="off" spellcheck="false" '
        f'placeholder="e.g. {e(EXAMPLES[x.kind])}"> '
        f'<button type="button" class="practice-check">Check</button> '
        f'<button type="button" class="practice-hint">Hint</button>'
        f'<p class="practice-verdict" aria-live="polite"></p><p class="practice-hints"></p></div>\n'
        f"<details><summary>Worked answer</summary><p>Formula: {e(x.formula)}</p><ol>{steps}</ol>"
        f"<p>Answer: <strong>{e(x.said)}</strong></p></details>\n</li>\n")


def appendix(practice: Bank | Scaled, heading_id: str = "practice") -> str:
    """The appendix HTML: heading, questions, worked answers, the data block and the script."""
    bank = practice.bank if isinstance(practice, Scaled) else practice
    items = "".join(_question_html(i, x) for i, x in enumerate(bank.questions))
    at = ""
    if isinstance(practice, Scaled):
        label = practice.points[practice.start][1]
        at = f'<p class="practice-at">Traffic: <span class="practice-scale">{escape_html(label, attribute=True)}</span></p>\n'
    return (f'<section class="practice">\n<h2 id="{escape_html(heading_id, attribute=True)}">Practice</h2>\n'
            f"<p>{escape_html(INTRO, attribute=True)}</p>\n{at}<ol class=\"practice-list\">\n{items}</ol>\n"
            f'<p class="practice-score" aria-live="polite"></p>\n</section>\n'
            f'<script type="application/json" id="practice-data">{json_block(page_data(practice))}</script>\n')


CSS = """\
.practice-list > li { margin: 1.2rem 0; }
.practice-text { font-weight: 600; margin-bottom: 0.3rem; }
.practice-at { color: var(--muted); }
table.practice-givens { margin: 0.3rem 0; font-size: 0.95em; }
.practice-box input { font: inherit; padding: 0.2rem 0.4rem; width: 12rem; }
.practice-box button { font: inherit; padding: 0.15rem 0.6rem; }
.practice-verdict { font-weight: 600; min-height: 1.2em; margin: 0.3rem 0; }
.practice-verdict[data-level="right"] { color: #1a7f37; }
.practice-verdict[data-level="good"] { color: #0969da; }
.practice-verdict[data-level="order"] { color: #9a6700; }
.practice-verdict[data-level="off"], .practice-verdict[data-level="invalid"] { color: #cf222e; }
.practice-hints { color: var(--muted); white-space: pre-line; }
.practice-verdict:empty, .practice-hints:empty { display: none; }
@media print { .practice-box, .practice-score { display: none; } }
"""

# The grading of ``model.answers`` in the page's JavaScript: same readers, same boundaries.
SCRIPT = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("practice-data").textContent), U = D.units;
  var APPROX = /^(?:about|around|roughly|approximately|approx\.?|nearly|almost|circa|ca\.|some|just under|just over|under|over|maybe|~|≈|≃|±)\s*/i;
  var NOUNS = /\b(?:users?|people|daily actives?|actives?|requests?|reqs?|req|events?|reads?|writes?|queries|messages?|ops|servers?|machines?|nodes?|instances?|boxes|shards?|partitions?|of (?:data|storage)|storage|data|copies)\b/gi;
  var PER_DAY = /\s*(?:\/|\bper\b|\ba\b|\beach\b)\s*(?:day|d)\s*$/i;
  var PER_SECOND = /\s*(?:\/\s*s(?:ec(?:ond)?)?|\bper\s+s(?:ec(?:ond)?)?|\ba\s+second|ps)\s*$/i;
  var PER_MONTH = /\s*(?:\/|\bper\b|\ba\b|\beach\b)\s*(?:month|mo)\s*$/i;
  var NUM = /^\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([\s\S]*?)\s*$/;
  var BITS = /^(?:([KMGTP])(i?)b|([kKmMgGtTpP]?)(i?)bits?)$/;
  var NINES = {two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7};
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function clean(t) {
    t = t.trim().replace(/[.?!]+$/, "").trim();
    var prev = null;
    while (prev !== t) { prev = t; t = t.replace(APPROX, "").trim(); }
    return t.replace(/\s*[x×*]\s*10\s*\^\s*([-+]?\d+)/g, "e$1");
  }
  function split(t) {
    var m = NUM.exec(t);
    if (!m) return null;
    var n = parseFloat(m[1].replace(/[,_]/g, ""));
    return isFinite(n) ? [n, m[2]] : null;
  }
  function words(u) { return u.trim().toLowerCase().replace(/\s+/g, " "); }
  function plain(t) {
    var s = split(t); if (!s) return null;
    var u = words(s[1]); return has(U.count, u) ? s[0] * U.count[u] : null;
  }
  function count(t) { return plain(t.replace(PER_DAY, "").replace(NOUNS, " ").trim()); }
  function rate(t) {
    t = t.replace(NOUNS, " ").replace(/\s+/g, " ").trim().replace(/\s*\/\s*/g, "/");
    var m = /^([\s\S]*?)\s*(?:\/|\bper\b|\ba\b)\s*([a-z]+)\s*$/.exec(t.toLowerCase());
    if (m) {
      var p = m[2];
      if (p.slice(-1) === "s" && has(U.period, p.slice(0, -1))) p = p.slice(0, -1);
      if (!has(U.period, p)) return null;
      var c = plain(m[1]); return c === null ? null : c / U.period[p];
    }
    var s = split(t); if (!s) return null;
    var parts = words(s[1]).split(" "), last = parts[parts.length - 1];
    if (["qps", "rps", "tps", "ops"].indexOf(last) >= 0) {
      var scale = parts.slice(0, -1).join(" ");
      if (has(U.count, scale)) return s[0] * U.count[scale];
    }
    return has(U.count, words(s[1])) ? s[0] * U.count[words(s[1])] : null;
  }
  function size(t) {
    t = t.replace(NOUNS, " ").trim();
    var s = split(t); if (!s) return null;
    var b = BITS.exec(s[1].trim());
    if (b) {
      var pre = (b[1] || b[3] || "").toLowerCase(), bin = b[2] || b[4] || "";
      return pre ? s[0] * U.size[pre + bin + "b"] / 8 : s[0] / 8;
    }
    var key = words(s[1]).replace(/ /g, "");
    if (key === "") return s[0];
    return has(U.size, key) ? s[0] * U.size[key] : null;
  }
  function bandwidth(t) {
    t = t.replace(NOUNS, " ").trim();
    if (/bps$/.test(t)) t = t.slice(0, -2) + "it";
    else if (/Bps$/.test(t)) t = t.slice(0, -2);
    else t = t.replace(PER_SECOND, "");
    return size(t);
  }
  function share(t) {
    var m = /^(\d|two|three|four|five|six|seven)\s*(?:nines|9s)$/.exec(t.toLowerCase());
    if (m) return 1 - Math.pow(10, -(/\d/.test(m[1]) ? +m[1] : NINES[m[1]]));
    var s = split(t); if (!s) return null;
    var u = words(s[1]), v;
    if (u === "" && s[0] > 1 && s[0] <= 100) return s[0] / 100;
    if (u === "%" || u === "percent") v = s[0] / 100; else if (u === "") v = s[0]; else return null;
    return v >= 0 && v <= 1 ? v : null;
  }
  function minutes(t) {
    var s = split(t.replace(PER_MONTH, "").trim()); if (!s) return null;
    var u = s[1].trim().toLowerCase();
    if (u === "" || u === "m") return s[0];
    if (has(U.short_seconds, u)) return s[0] * U.short_seconds[u] / 60;
    return has(U.duration, u) ? s[0] * U.duration[u] * 1440 : null;
  }
  var READ = {count: count, rate: rate, size: size, bandwidth: bandwidth, share: share, minutes: minutes};
  var FOUND = {bandwidth: "a bandwidth", rate: "a rate", size: "a size", share: "a percentage", minutes: "a duration"};
  function kindOf(t, wanted) {
    var kinds = ["size", "bandwidth", "rate", "share", "minutes"];
    for (var i = 0; i < kinds.length; i++) {
      var k = kinds[i];
      if (k === wanted || (wanted === "bandwidth" && k === "size")) continue;
      if (k === "bandwidth" && !/\/|\bper\b|ps$/i.test(t)) continue;
      if (k === "rate" && !/\/|\bper\b|qps|rps/i.test(t)) continue;
      if (k === "share" && t.indexOf("%") < 0 && t.toLowerCase().indexOf("nine") < 0) continue;
      if (k === "minutes") { var s = split(t); if (!s || !s[1].trim()) continue; }
      if (READ[k](t) !== null) return k;
    }
    return null;
  }
  function parse(text, x) {
    var shown = JSON.stringify(text.trim()).slice(1, -1);
    if (!text.trim()) return {error: "Type an answer first, e.g. '" + x.example + "'."};
    var t = clean(text), v = READ[x.kind](t);
    if (v === null) {
      var found = kindOf(t, x.kind);
      if (found) return {error: "'" + shown + "' is " + FOUND[found] + "; this question asks for " + x.wanted + ", e.g. '" + x.example + "'."};
      if (!NUM.test(t) && !/^\w+\s*(?:nines|9s)$/.test(t.toLowerCase()))
        return {error: "'" + shown + "' isn't a number: write it the way you would say it, e.g. '" + x.example + "'."};
      return {error: "'" + shown + "': I can't read that as " + x.wanted + "; write it like '" + x.example + "'."};
    }
    if (v < 0) return {error: "'" + shown + "': it can't be negative."};
    return {value: v};
  }
  function level(v, a, tol) {
    if (v <= 0) return "off";
    if (Math.abs(v - a) <= tol * a * (1 + 1e-9)) return "right";
    if (a / D.good * (1 - 1e-12) <= v && v <= a * D.good * (1 + 1e-12)) return "good";
    if (Math.floor(Math.log10(v) + 1e-12) === Math.floor(Math.log10(a) + 1e-12)) return "order";
    return "off";
  }
  function sig2(r) {  /* Python's format(r, ".2g"): the nearest two figures, an exact tie to the even one */
    var m = /^(\d)\.(\d)(\d*)e([+-]\d+)$/.exec(r.toExponential(39));
    if (m && /^50*$/.test(m[3])) {
      var d = Number(m[1] + m[2]);
      return Number((d % 2 ? d + 1 : d) + "e" + (Number(m[4]) - 1));
    }
    return Number(r.toPrecision(2));
  }
  function times(r) {  /* quantities.say_times */
    if (r > 0 && r < 0.01) return "< 0.01x";
    var x = sig2(r);
    return (x >= 1000 ? Math.round(x).toLocaleString("en-US") : String(x)) + "x";
  }
  function slip(x, v, a) {
    var best = null;
    if (v <= 0) return null;
    x.slips.forEach(function (s) {
      var win = s[1] === "binary" ? D.binary_window : D.slip_window;
      var miss = Math.abs(Math.log(v / (a * s[0])));
      if (miss <= Math.log1p(win) && (best === null || miss < best[0])) best = [miss, s];
    });
    return best ? best[1] : null;
  }
  function norm(t) { return t.toLowerCase().replace(/[^0-9a-z]+/g, ""); }
  function checkName(x, text) {
    if (!text.trim()) return {level: "invalid", message: "Type a component's name first (or '" + D.nothing + "')."};
    var given = norm(clean(text)), chosen = null, shown = JSON.stringify(text.trim()).slice(1, -1);
    x.choices.forEach(function (c) { if (c[0] === given) chosen = c[1]; });
    if (chosen === null && D.nothing_words.indexOf(given) >= 0) chosen = D.nothing;
    if (chosen === null && given) {
      var close = x.choices.filter(function (c) { return c[0].indexOf(given) >= 0; });
      if (close.length === 1) chosen = close[0][1];
    }
    if (chosen === null) {
      var names = x.choices.map(function (c) { return c[1]; });
      return {level: "invalid", message: "'" + shown + "' isn't one of this system's components: " + names.join(", ") + " (or '" + D.nothing + "')."};
    }
    if (chosen === x.said) return {level: "right", message: "Right: " + x.said + "."};
    return {level: "off", message: "Off: the answer is " + x.said + " (" + x.working[0] + ")."};
  }
  function check(x, text) {
    if (x.kind === "name") return checkName(x, text);
    var p = parse(text, x);
    if (p.error) return {level: "invalid", message: p.error};
    var got = x.availability ? 1 - p.value : p.value, want = x.answer;
    if (x.availability && got <= 0) return {level: "off", message: "Off: nothing is 100% available; the answer is " + x.said + "."};
    var lv = level(got, want, x.tolerance), s = lv === "right" ? null : slip(x, got, want);
    var msg = D.levels[lv] + ": the answer is " + x.said + ".";
    if (lv === "good" || lv === "order") {
      var r = got / want;
      msg = D.levels[lv] + " (" + (r >= 1 ? times(r) + " the answer" : times(1 / r) + " too small") + "): the answer is " + x.said + ".";
    }
    if (s) msg += " " + s[2];
    return {level: lv, message: msg, slip: s ? s[1] : null};
  }
  var POINTS = {right: 1, good: 0.5, order: 0.25, off: 0};
  var Q = D.questions, results = {}, shownScale = null;
  function showScore() {
    var keys = Object.keys(results), pts = 0;
    keys.forEach(function (k) { pts += POINTS[results[k]]; });
    document.querySelector(".practice-score").textContent =
      "Score: " + pts + " of " + Q.length + " (" + keys.length + " answered)";
  }
  window.designkitPractice = {check: function (i, text) { return check(Q[i], text); }};
  function wire(li) {
    var i = +li.getAttribute("data-q"), box = li.querySelector(".practice-box");
    var input = box.querySelector("input"), verdict = box.querySelector(".practice-verdict");
    var hints = box.querySelector(".practice-hints"), shown = 0;
    function run() {
      var r = check(Q[i], input.value);
      verdict.textContent = r.message;
      verdict.setAttribute("data-level", r.level);
      if (r.level !== "invalid") { results[i] = r.level; showScore(); }
    }
    box.querySelector(".practice-check").addEventListener("click", run);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") run(); });
    box.querySelector(".practice-hint").addEventListener("click", function () {
      var ladder = Q[i].hints;
      if (shown < ladder.length) { shown += 1; hints.textContent = ladder.slice(0, shown).join("\n"); }
    });
    box.hidden = false;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function build(i, x) {
    var li = el("li", "practice-q"), body = el("tbody"), table = el("table", "practice-givens");
    li.setAttribute("data-q", String(i));
    li.appendChild(el("p", "practice-text", x.text));
    x.givens.forEach(function (g) {
      var tr = el("tr");
      tr.appendChild(el("th", null, g[0]));
      tr.appendChild(el("td", null, g[1]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    li.appendChild(table);
    var box = el("div", "practice-box"), label = el("label", null, "Your answer"), input = el("input");
    var verdict = el("p", "practice-verdict"), button = el("button", "practice-check", "Check");
    box.hidden = true;
    label.htmlFor = "practice-answer-" + i;
    input.type = "text"; input.id = "practice-answer-" + i; input.autocomplete = "off";
    input.spellcheck = false; input.placeholder = "e.g. " + x.example;
    button.type = "button";
    var hint = el("button", "practice-hint", "Hint");
    hint.type = "button";
    verdict.setAttribute("aria-live", "polite");
    [label, " ", input, " ", button, " ", hint, verdict, el("p", "practice-hints")].forEach(function (n) {
      box.appendChild(typeof n === "string" ? document.createTextNode(n) : n);
    });
    li.appendChild(box);
    var details = el("details"), steps = el("ol"), answer = el("p", null, "Answer: ");
    details.appendChild(el("summary", null, "Worked answer"));
    details.appendChild(el("p", null, "Formula: " + x.formula));
    x.working.forEach(function (step) { steps.appendChild(el("li", null, step)); });
    details.appendChild(steps);
    answer.appendChild(el("strong", null, x.said));
    details.appendChild(answer);
    li.appendChild(details);
    return li;
  }
  document.addEventListener("designkit:scale", function (e) {
    var scale = e.detail && e.detail.scale, point = null;
    D.points.forEach(function (pt) { if (pt.scale === scale) point = pt; });
    if (point === null || scale === shownScale) return;
    if (shownScale === null && point === D.points[D.start]) { shownScale = scale; return; }
    shownScale = scale;
    Q = point.questions.map(function (id) {     /* a pooled question is what differs from the start's */
      var x = {}, base = null, changed = D.pool[id];
      D.questions.forEach(function (q) { if (q.key === changed.key) base = q; });
      [base || {}, changed].forEach(function (o) { Object.keys(o).forEach(function (k) { x[k] = o[k]; }); });
      return x;
    });
    var list = document.querySelector(".practice-list");
    while (list.firstChild) list.removeChild(list.firstChild);
    Q.forEach(function (x, i) { var li = build(i, x); list.appendChild(li); wire(li); });
    var at = document.querySelector(".practice-scale");
    if (at) at.textContent = point.label;
    results = {};
    document.querySelector(".practice-score").textContent = "";
  });
  Array.prototype.forEach.call(document.querySelectorAll(".practice-q"), wire);
})();
"""
