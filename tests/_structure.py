"""How an article is shaped, whatever its prose says: the helpers of the Markdown-injection tests.

``md_structure`` reads article.md with markdown-it (CommonMark and GFM tables, a second parser
besides the handout's mistune); ``dom_structure`` reads the handout's elements; ``with_prose``
puts hostile text into every prose field of a spec.
"""

from __future__ import annotations

import copy
import html.parser

from hypothesis import strategies as st
from markdown_it import MarkdownIt

from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.views.pages import article
from designkit.views.pages.handout import split_front_matter


SNIPPETS = ["\r# Heading", "\n\n## Two", "Kafka \\| Pulsar", "a | b", "[x](javascript:alert(1))",
            "![arch](https://example.com/a.png)", "[see](figures/nope.svg)", "<script>alert(1)</script>",
            "```", "~~~", "    indented", "- item", "1. one", "> quote", "---", "===", "&amp;", "\\", "*", "_",
            "<https://example.com>", "[ref]: javascript:alert(1)", "\u2028# sep", "$\\undefinedmacro{x}$",
            "|---|", "<!-- c -->", "**", "`", "#", "\t"]
PROSE = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=6)), min_size=1, max_size=5).map("".join)
NOT_PROSE = {"scale", "kind", "replication", "url", "capacity", "write_capacity", "memory", "storage", "replicas",
             "shards", "availability", "traffic_share", "hit_ratio", "detection_seconds", "failover_seconds",
             "path", "prices", "monthly_cost", "priced_as", "storage_class", "tiering"}


def with_prose(raw: dict, texts: list[str]) -> dict:
    """The raw spec with every prose string replaced (cycling through texts); names stay distinct."""
    data = copy.deepcopy(raw)
    counter = iter(range(10**6))
    renamed = {}

    def new(old: str) -> str:
        return f"{texts[next(counter) % len(texts)]} {len(renamed) + 1}"

    for comp in data["components"]:
        renamed[comp["name"]] = new(comp["name"])
        comp["name"] = renamed[comp["name"]]
    for path in ("read_path", "write_path"):
        data[path] = [renamed[name] for name in data[path]]

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in NOT_PROSE or (key == "name" and node in data["components"]) \
                        or (key == "target" and "path" in node):   # a path's latency target is data
                    continue
                if isinstance(value, str):
                    node[key] = texts[next(counter) % len(texts)]
                else:
                    walk(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    node[index] = texts[next(counter) % len(texts)]
                else:
                    walk(value)

    walk({k: v for k, v in data.items() if k not in ("read_path", "write_path", "components")})
    for comp in data["components"]:
        walk({k: v for k, v in comp.items() if k != "name"})
    data["name"] = f"{texts[0]} system"
    return data


def article_of(spec) -> str:
    """article.md as a build assembles it, from the same views the notebooks emit."""
    cap = estimate(spec.scale)
    result = analyze(spec, cap)
    parts = [article.front_matter(spec), article.requirements(spec, cap),
             article.high_level_architecture_with_load(spec, result), article.core_components(spec),
             article.data_model(spec), article.key_design_decisions(spec), article.scalability(spec, result),
             article.reliability(spec, result), article.interview_tips(spec, result), article.key_takeaways(spec)]
    return "\n\n".join(p.strip() for p in parts) + "\n"


def md_structure(text: str) -> list:
    """Headings, tables (shape), fences, lists, quotes, links and images, as CommonMark+GFM tables parse them."""
    _, body = split_front_matter(text)
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    shape = []
    for token in parser.parse(body):
        if token.type in ("heading_open", "table_open", "tr_open", "th_open", "td_open", "fence", "code_block", "hr",
                          "bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open",
                          "html_block", "paragraph_open"):
            shape.append((token.type, token.tag))
        for child in token.children or []:
            if child.type in ("link_open", "image", "html_inline"):
                shape.append((child.type, child.attrGet("href") or child.attrGet("src")))
    return shape


INLINE = {"strong", "em", "code", "del", "br"}


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if tag not in INLINE:  # emphasis and code spans are text styling, not the page's structure
            attrs = dict(attrs)
            self.tags.append((tag, attrs.get("href") if tag == "a" else attrs.get("src", "")[:40] or None))


def dom_structure(page: str) -> list:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def table_shapes(structure: list) -> list:
    """A structure with each run of like table rows folded into one: a table's shape is its header
    and columns. (Interview Tips merges a computed row into the spec's row on the same question, so
    how many rows it has depends on what the questions say; no row may change its cells.)"""
    def kind(item):   # ('tr_open', 'tr') from markdown-it, 'tr' from the parser, 'TR 2' from Chromium
        return item[0] if isinstance(item, tuple) else str(item).split(" ")[0].lower()
    out, last, i = [], None, 0
    while i < len(structure):
        if kind(structure[i]) in ("tr_open", "tr"):
            j = i + 1
            while j < len(structure) and kind(structure[j]) in ("td_open", "td", "th_open", "th"):
                j += 1
            row = structure[i:j]
            if row != last:
                out.extend(row)
            last, i = row, j
        else:
            out.append(structure[i])
            last, i = None, i + 1
    return out


def renamed(raw: dict, names: dict[str, str]) -> dict:
    """The raw spec with components renamed, in their list and along both paths."""
    data = copy.deepcopy(raw)
    for comp in data["components"]:
        comp["name"] = names.get(comp["name"], comp["name"])
    for path in ("read_path", "write_path"):
        data[path] = [names.get(name, name) for name in data[path]]

    def literal(name: str) -> str:   # the name as a Jinja string literal
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def walk(node):   # prose figures name components too: components["Event Store"].utilization
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        if isinstance(node, str):
            for old, new in names.items():
                node = node.replace(f'components["{old}"]', f"components[{literal(new)}]")
            return node
        return node
    return walk(data)

DOM_SHAPE = """() => Array.from(document.body.querySelectorAll('*'))
  .filter(e => !['STRONG', 'EM', 'CODE', 'DEL', 'BR'].includes(e.tagName))
  .map(e => e.tagName + (e.tagName === 'A' ? ' ' + (e.getAttribute('href') || '').slice(0, 1) : '')
       + (e.tagName === 'TR' ? ' ' + e.children.length : ''))"""
