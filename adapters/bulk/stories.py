"""The stories the dataset generator tells, one function per kind: an affair with its
quotes, work and order; a service contract and its billing; an installed asset with its
warranties and service cases. Each drives the real aggregates through their verbs on the
story's simulated clock and draws every choice from the generator's seeded random.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.affair import Affair, SaleType
from domain.asset import Asset, ServiceCaseStatus
from domain.budget import BudgetCategory, RevenueKind
from domain.contract import Contract, ContractLine
from domain.customer import Customer
from domain.invoicing import format_invoice_number
from domain.order import AddLine, ChangeLine, Order, OrderLine
from domain.periods import Frequency
from domain.quote import Quote
from domain.warranty import WarrantyKind

if TYPE_CHECKING:
    from adapters.bulk.generator import DatasetGenerator, Story

SALESPEOPLE = ["alice", "bruno", "chloe", "damien", "elise", "farid"]
EMPLOYEES = ["gina", "hugo", "ines", "jules", "karim", "lea", "marc", "nora"]
ZONES = [("north", "FR"), ("south", "FR"), ("east", "DE"), ("west", "BE"), ("export", "ES")]
PRODUCTS = [
    ("REG-100", "Cash register", Decimal("549.00"), Decimal("20")),
    ("SCN-20", "Barcode scanner", Decimal("89.90"), Decimal("20")),
    ("PRN-7", "Receipt printer", Decimal("219.00"), Decimal("20")),
    ("SRV-INST", "Installation (day)", Decimal("640.00"), Decimal("20")),
    ("SRV-TRAIN", "Training (half day)", Decimal("380.00"), Decimal("20")),
    ("LIC-POS", "POS licence (year)", Decimal("300.00"), Decimal("20")),
    ("BOOK-1", "User manual", Decimal("24.00"), Decimal("5.5")),
]


def pick_lines(
    gen: DatasetGenerator, count: int
) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
    chosen = gen.rng.sample(PRODUCTS, count)
    return [
        (ref, desc, Decimal(gen.rng.randint(1, 12)), price, vat) for ref, desc, price, vat in chosen
    ]


def affair_story(gen: DatasetGenerator, story: Story, customer: Customer) -> None:
    rng = gen.rng
    zone, country = rng.choice(ZONES)
    amount = Decimal(rng.randint(20, 400) * 100)
    affair = Affair.open(
        story.at,
        name=f"Deal {story.at:%Y%m%d}-{rng.randint(0, 9999):04d}",
        customer_id=customer.id,
        prospect=None,
        salesperson=rng.choice(SALESPEOPLE),
        currency="EUR",
        expected_amount=amount,
        expected_close=(story.at + timedelta(days=rng.randint(30, 180))).date(),
        zone=zone,
        country=country,
        sale_type=rng.choice(list(SaleType)),
        risk=rng.choice(["low", "medium", "high"]),
        competitors=rng.sample(["Acme", "Globex", "Initech"], rng.randint(0, 2)),
    )
    for category, share in (
        (BudgetCategory.LABOUR, "0.35"),
        (BudgetCategory.PURCHASES, "0.30"),
        (BudgetCategory.EXPENSES, "0.05"),
        (BudgetCategory.SALES, "1"),
    ):
        affair.set_budget(story.at, category, (amount * Decimal(share)).quantize(Decimal("1")))
    affair.baseline(story.later(hours=1), "initial budget")
    story.flush(affair)

    quotes = [quote_for(gen, story, customer, affair) for _ in range(1 + (rng.random() < 0.3))]
    outcome = rng.random()
    stages = ["E", "M", "B"]
    for stage in stages[: rng.randint(1, 3)]:
        story.attempt(affair.move_to_stage, story.later(days=rng.uniform(2, 15)), stage)
        work_on(gen, story, affair, rng.randint(2, 8))
        story.flush(affair)
    won = outcome < 0.45
    if won:
        story.attempt(affair.move_to_stage, story.later(days=3), "A")
        quote = quotes[-1]
        if quote.status == "sent":
            story.attempt(quote.accept, at=story.later(hours=2))
            order_for(gen, story, customer, affair, quote)
        work_on(gen, story, affair, rng.randint(8, 25))
        story.attempt(affair.report_progress, story.later(days=5), Decimal(100))
    elif outcome < 0.70:
        for quote in quotes:
            if quote.status == "sent":
                story.attempt(quote.decline, at=story.later(hours=3), reason="price")
        story.attempt(affair.lose, story.later(days=1), "went with a competitor")
    else:
        work_on(gen, story, affair, rng.randint(0, 6))
    story.flush(affair, *quotes)


def work_on(gen: DatasetGenerator, story: Story, affair: Affair, entries: int) -> None:
    rng = gen.rng
    for _ in range(entries):
        at = story.later(hours=rng.uniform(1, 30))
        roll = rng.random()
        if roll < 0.75:
            story.attempt(
                affair.log_time,
                at,
                rng.choice(EMPLOYEES),
                at.date(),
                Decimal(rng.choice(["1", "2", "3.5", "4", "7.5", "8"])),
                hourly_rate=Decimal(rng.choice([55, 65, 80, 95])),
            )
        elif roll < 0.88:
            ref = f"PO-{rng.getrandbits(32):08x}"
            story.attempt(
                affair.record_cost,
                at,
                rng.choice([BudgetCategory.PURCHASES, BudgetCategory.EXPENSES]),
                Decimal(rng.randint(50, 3000)),
                ref,
                at.date(),
            )
        else:
            percent = Decimal(min(95, int(affair.progress or 0) + rng.randint(5, 25)))
            story.attempt(affair.report_progress, at, percent)
    story.flush(affair)


def quote_for(gen: DatasetGenerator, story: Story, customer: Customer, affair: Affair) -> Quote:
    rng = gen.rng
    at = story.later(hours=rng.uniform(1, 24))
    quote = Quote.draft(
        at=at,
        currency="EUR",
        customer_id=customer.id,
        valid_until=(at + timedelta(days=60)).date(),
        salesperson=affair.salesperson,
        title=affair.name,
    )
    for ref, desc, qty, price, vat in pick_lines(gen, rng.randint(2, 4)):
        quote.add_line(
            at=at,
            description=desc,
            quantity=qty,
            unit_price=price,
            vat_rate=vat,
            product_ref=ref,
        )
    story.attempt(quote.attach_to_affair, at=at, affair_id=affair.id)
    story.attempt(quote.send, at=story.later(hours=2))
    if rng.random() < 0.4:
        revised_at = story.later(days=rng.uniform(1, 7))
        story.attempt(quote.revise, at=revised_at, reason="customer asked")
        ref, desc, qty, price, vat = pick_lines(gen, 1)[0]
        story.attempt(
            quote.add_line,
            at=story.at,
            description=desc,
            quantity=qty,
            unit_price=price,
            vat_rate=vat,
        )
        story.attempt(quote.send, at=story.later(hours=1))
    story.flush(quote)
    return quote


def next_invoice_number(gen: DatasetGenerator, at: datetime) -> str:
    """The year's next gapless number (taken only if the invoice is recorded)."""
    value = gen.sequences.get(f"invoice-{at.year}", 0) + 1
    return format_invoice_number(at.year, value, "INV")


def order_for(
    gen: DatasetGenerator, story: Story, customer: Customer, affair: Affair, quote: Quote
) -> None:
    rng = gen.rng
    if quote.status != "accepted":
        return
    order = Order.create(
        story.later(hours=1),
        customer.id,
        "EUR",
        [
            OrderLine(
                q.line_id,
                q.description,
                q.quantity,
                q.unit_price,
                q.vat_rate,
                q.unit,
                q.product_ref,
                q.discount,
                q.unit_cost,
            )
            for q in quote.lines.values()
        ],
        quote_id=quote.id,
        affair_id=affair.id,
    )
    if story.attempt(quote.convert, at=story.at, order_id=order.id) is None:
        return
    story.attempt(order.confirm, story.later(hours=1), Decimal(0), None)
    total = order.totals().net
    story.attempt(
        affair.record_revenue,
        story.at,
        RevenueKind.ORDERED,
        total,
        f"ORD-{order.id.hex[:8]}",
        story.at.date(),
    )
    if rng.random() < 0.3:
        first = next(iter(order.lines))
        if rng.random() < 0.5:
            change: Any = ChangeLine(first, quantity=order.lines[first].quantity + 1)
        else:
            ref, desc, qty, price, vat = pick_lines(gen, 1)[0]
            change = AddLine(OrderLine(f"A{order.version}", desc, qty, price, vat, product_ref=ref))
        story.attempt(order.amend, story.later(days=2), "customer added to the order", [change])
    parts = rng.randint(1, 2)
    for part in range(parts):
        quantities = {
            i: (line.quantity if part == parts - 1 else (line.quantity / 2).quantize(Decimal(1)))
            - order.net_delivered(i)
            for i, line in order.lines.items()
        }
        quantities = {i: q for i, q in quantities.items() if q > 0}
        if quantities:
            story.attempt(order.record_delivery, story.later(days=rng.uniform(3, 20)), quantities)
    invoiceable = {i: order.invoiceable(i) for i in order.lines}
    invoiceable = {i: q for i, q in invoiceable.items() if q > 0}
    if invoiceable:
        at = story.later(days=1)
        number = next_invoice_number(gen, at)
        story.attempt(order.invoice, at, number, invoiceable)
        if number in order.invoices:
            gen.sequences[f"invoice-{at.year}"] = int(number.rsplit("-", 1)[1])
            due = order.due(number)
            if due > 0:
                split = (due / 2).quantize(Decimal("0.01")) if rng.random() < 0.3 else due
                paid_at = story.later(days=rng.uniform(10, 45))
                story.attempt(order.record_payment, paid_at, number, split)
                rest = order.due(number)
                if rest > 0 and rng.random() < 0.8:
                    story.attempt(order.record_payment, story.later(days=30), number, rest)
    story.flush(order, quote, affair)


def contract_story(gen: DatasetGenerator, story: Story, customer: Customer) -> None:
    rng = gen.rng
    frequency = rng.choice([Frequency.MONTH, Frequency.MONTH, Frequency.QUARTER])
    start = story.at.date().replace(day=1) + timedelta(days=32)
    start = start.replace(day=1)
    contract = Contract.sign(
        story.at,
        customer.id,
        "EUR",
        [
            ContractLine(
                "Support and hosting",
                Decimal(1),
                Decimal(rng.choice([90, 150, 290, 490])),
                Decimal(20),
            )
        ],
        frequency,
        start,
        end=date(start.year + 2, start.month, 1) - timedelta(days=1),
    )
    story.flush(contract)
    periods = 24 if frequency == Frequency.MONTH else 8
    step = 30.4 if frequency == Frequency.MONTH else 91.3
    for index in range(rng.randint(periods // 2, periods)):
        at = datetime.combine(start, story.at.timetz()) + timedelta(days=index * step + 1)
        if at < story.at:
            at = story.at
        story.at = at
        story.later()
        story.attempt(contract.bill, story.at, index)
        story.flush(contract)


def asset_story(gen: DatasetGenerator, story: Story, customer: Customer) -> None:
    rng = gen.rng
    ref, desc, _price, _vat = rng.choice(PRODUCTS[:3])
    asset = Asset.register(
        story.at,
        customer.id,
        ref,
        desc,
        f"SN{rng.getrandbits(40):010x}",
        f"Site {rng.randint(1, 5)}",
    )
    installed = story.at.date()
    asset.set_warranty(
        story.at, WarrantyKind.MANUFACTURER, installed, installed + timedelta(days=365)
    )
    if rng.random() < 0.5:
        asset.set_warranty(
            story.at,
            WarrantyKind.CUSTOMER,
            installed + timedelta(days=365),
            installed + timedelta(days=3 * 365),
        )
    story.flush(asset)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        at = story.later(days=rng.uniform(20, 200))
        case_id = asset.open_service_case(
            at, rng.choice(["does not start", "paper jam", "screen broken"])
        )
        story.attempt(asset.add_checklist_point, story.at, case_id, "1", "Visual inspection")
        story.attempt(asset.diagnose, story.later(days=1), case_id, "worn part")
        story.attempt(asset.advance, story.later(days=2), case_id, ServiceCaseStatus.REPAIR)
        story.attempt(asset.check_point, story.at, case_id, "1", rng.choice(EMPLOYEES))
        story.attempt(asset.return_to_customer, story.later(days=1), case_id)
        story.flush(asset)
