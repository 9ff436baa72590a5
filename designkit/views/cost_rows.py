"""The monthly bill as plain rows and sentences, shared by the article and the live views."""

from __future__ import annotations

from ..model import quantities as q

HEADER = ["Component", "Priced as", "Nodes", "Compute", "Storage", "Requests", "A month", "At 10x"]


def _money(value: float) -> str:
    return q.say_dollars(value) if value else "–"


def rows(analysis) -> list[list[str]]:
    """Per component: what it is priced as, nodes, dollars by line, a month today and at 10x."""
    result = []
    for line, then in zip(analysis.cost.lines, analysis.cost_10x.lines):
        if line.stated is not None:
            parts = ["stated in the spec", "", ""]
        else:
            parts = [_money(line.compute), _money(line.storage), _money(line.requests)]
        nodes = f"{line.billed_nodes:,}" if line.billed_nodes else "–"
        later = f" ({then.billed_nodes:,} nodes)" if then.billed_nodes else ""
        result.append([line.component, line.instance, nodes, *parts, q.say_dollars(line.total),
                       q.say_dollars(then.total) + later])
    bill, then = analysis.cost, analysis.cost_10x
    result.append(["Egress", f"{q.say_bytes(bill.egress_bytes)} a month at "
                             f"{q.say_dollars(bill.egress_gb_price)}/GB", "", "", "", "",
                   q.say_dollars(bill.egress), q.say_dollars(then.egress)])
    result.append(["Total", "", f"{sum(line.billed_nodes for line in bill.lines):,}", "", "", "",
                   q.say_dollars(bill.total), q.say_dollars(then.total)])
    return result


def summary(analysis) -> str:
    """One sentence: the month's total, per million requests, and at 10x."""
    bill, then = analysis.cost, analysis.cost_10x
    return (f"The design costs about {q.say_dollars(bill.total)} a month "
            f"({q.say_dollars(bill.per_million_requests)} per million requests); at 10x today's traffic, "
            f"about {q.say_dollars(then.total)} a month ({q.say_dollars(then.per_million_requests)} "
            "per million requests).")
