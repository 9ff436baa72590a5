"""The monthly bill as plain rows and sentences, shared by the article and the live views.

Each cell says what it is computed from: the node and its hourly price, the storage classes and
how much each holds, the messages, the egress tiers.
"""

from __future__ import annotations

from ...model import quantities as q
from ...model.cost import Bill, CostLine
from ...model.scaling import CELL_NODES
from .table import Cell, Rows
from .table import rows as table_rows
from .wording import count

HEADER = ["Component", "Priced as", "Nodes", "Compute", "Storage", "Requests, messages", "A month", "At 10x"]

BASIS = ("Priced at AWS on-demand list prices in us-east-1, each component in its own unit: node-hours of "
         "a named instance type, messages (SMS at Twilio's US price), GB-months by storage class and age, "
         "requests, and egress in AWS's volume tiers; a spec's `prices:` block or a component's "
         "`monthly_cost` replaces figures. At 10x each component runs the fleet that load needs (never "
         "fewer nodes than today's).")
"""What the bill assumes, in one paragraph the article prints above the table."""


def _money(value: float) -> str:
    return q.say_dollars(value) if value else "–"


def _gb(gb: float) -> str:
    return q.say_bytes(gb * 1e9)


def unit_price(dollars: float) -> str:
    """A unit price to three figures: 0.126 -> '$0.126', 0.0079 -> '$0.0079', 0.943 -> '$0.943'."""
    return f"${float(f'{dollars:.3g}'):,g}"


def priced_as(line: CostLine) -> str:
    """What a line is priced as, with its price per node-hour or per message."""
    if line.hourly:
        return f"{line.instance} at {unit_price(line.hourly)}/h"
    if line.message_price:
        return f"{line.instance} at {unit_price(line.message_price)} a message"
    return line.instance


def storage_cell(line: CostLine) -> str:
    """Dollars for storage and where they come from: each class and what it holds."""
    held = [part for part in line.stored if part.gb > 0]
    if not held:
        return "–"
    parts = ", ".join(f"{_gb(part.gb)} {part.storage_class}" for part in held)
    return f"{q.say_dollars(line.storage)} ({parts})"


def requests_cell(line: CostLine) -> str:
    """Dollars for requests or messages; messages say how many."""
    if line.messages:
        said = q.say_count(line.messages)
        return f"{q.say_dollars(line.requests)} ({said} message{'' if said == '1' else 's'})"
    return _money(line.requests)


def egress_cell(bill: Bill) -> str:
    """The month's egress and the tiers it is priced in: '~127 GB a month at $0.09/GB'."""
    tiers = bill.egress_tiers
    if not tiers:
        return "nothing sent"
    said = ", ".join(f"{_gb(gb)} at {unit_price(price)}/GB" for gb, price in tiers)
    if len(tiers) == 1:
        return f"{_gb(bill.egress_bytes / 1e9)} a month at {unit_price(tiers[0][1])}/GB"
    return f"{_gb(bill.egress_bytes / 1e9)} a month in tiers: {said}"


def rows(analysis) -> Rows:
    """Per component: what it is priced as, nodes, dollars by part, a month today and at 10x; the
    total last, its cells 'key'."""
    result = []
    for line, then in zip(analysis.cost.lines, analysis.cost_10x.lines):
        if line.stated is not None:
            parts = ["stated in the spec", "", ""]
        else:
            parts = [_money(line.compute), storage_cell(line), requests_cell(line)]
        nodes = f"{line.billed_nodes:,}" if line.billed_nodes else "–"
        later = f" ({count(then.billed_nodes, 'node')})" if then.billed_nodes else ""
        if then.billed_nodes > CELL_NODES:
            later = f" ({count(then.billed_nodes, 'node')}, more than the {CELL_NODES:,} one cluster runs)"
        result.append([line.component, priced_as(line), nodes, *parts,
                       q.say_dollars(line.total), q.say_dollars(then.total) + later])
    bill, then = analysis.cost, analysis.cost_10x
    result.append(["Egress", f"{bill.egress_price.label}: {egress_cell(bill)}", "", "", "", "",
                   q.say_dollars(bill.egress), q.say_dollars(then.egress)])
    total = ["Total", "", f"{sum(line.billed_nodes for line in bill.lines):,}", "", "", "",
             q.say_dollars(bill.total), q.say_dollars(then.total)]
    result.append([Cell(cell, "key") if cell else cell for cell in total])
    return table_rows(HEADER, result)


def shares_phrase(bill: Bill) -> str:
    """Where a month's dollars go, largest first: 'egress 62%, compute 30%, the rest under 1%'."""
    total = bill.total
    parts = sorted(((value, name) for name, value in bill.by_part().items() if value / total > 0),
                   key=lambda part: -part[0])      # by dollars, not by share: two shares can round equal
    shares = [(value / total, name) for value, name in parts]
    said = [f"{name} {q.say_share(share)}" for share, name in shares if share >= 0.01]
    rest = [name for share, name in shares if share < 0.01]
    if len(rest) == 1:
        said.append(f"{rest[0]} under 1%")
    elif rest:
        said.append("the rest under 1%")
    return ", ".join(said)


def summary(analysis) -> str:
    """The month's total, per million requests, and at 10x; then where the dollars go."""
    bill, then = analysis.cost, analysis.cost_10x
    if bill.total <= 0:
        return "The design costs nothing a month at these prices."
    short = any(load.utilization > 1 or load.short for load in analysis.loads)
    nodes = sum(line.billed_nodes for line in bill.lines)
    fleet = f" for the {count(nodes, 'node')} it runs, which cannot carry today's peak" if short and nodes else ""
    return (f"The design costs about {q.say_dollars(bill.total)} a month "
            f"({q.say_dollars(bill.per_million_requests)} per million requests){fleet}; at 10x today's traffic, "
            f"about {q.say_dollars(then.total)} a month ({q.say_dollars(then.per_million_requests)} "
            f"per million requests){_past(analysis, 10.0)}. Where it goes: {shares_phrase(bill)}.")


def _past(analysis, multiplier: float) -> str:
    """A bill beyond the envelope prices a fleet the design cannot run: say so."""
    if analysis.envelope.holds(multiplier):
        return ""
    return ", a fleet past the design's envelope, so the design must change before then"
