"""The `pipeline` view (V1): one row per open affair and per open quote outside an affair.

Definitions, written down once:

- An affair is in the pipeline while it is open (neither won nor lost); a quote while it
  is a draft or sent and not attached to an affair (an attached quote is followed
  through its affair). Other documents have no row: they leave the current table and
  stay in `pipeline_history` as they stood before (V9).
- Affair rows: stage, its probability and the affair's risk; amount = expected amount;
  weighted amount = `domain.stages.weighted_amount` with the view's risk factors (the
  company's policies; `RiskFactors()` by default).
- Quote rows: stage and stage name "quote"; probability by status, draft 10 % and sent
  30 % (`QUOTE_PROBABILITY`); no risk (factor 1); amount = the current revision's total
  excluding VAT; expected close = the validity date; no sale type, zone or country.
- Base currency: the company's reporting currency (`reporting_currency`: the one its
  settings state, `BASE_CURRENCY` (EUR) before the company is established), as the
  projector found it when it started; each row names it in
  `base_currency`. `amount_base` is the amount in the base currency, converted with
  the affair's conversion rate when its currency is not the base
  (`Affair.expected_amount_in`); NULL when it cannot be converted (quotes in another
  currency, affairs without a rate to the base). `weighted_base` weighs `amount_base`
  the same way, rounded to the base currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from domain.affair import Affair, AffairStatus
from domain.errors import CompanyNotEstablished, CurrencyNotConfigured
from domain.quote import Quote, QuoteStatus
from domain.stages import DEFAULT_RISK_FACTORS, Risk, RiskFactors, weighted_amount
from domain.values import Money
from projections.base import Folded
from projections.quotes import quote_totals
from projections.schema import Table

if TYPE_CHECKING:
    from application.app import Comptoir

BASE_CURRENCY = "EUR"
QUOTE_STAGE = "quote"
QUOTE_PROBABILITY: dict[QuoteStatus, int] = {QuoteStatus.DRAFT: 10, QuoteStatus.SENT: 30}
# A quote carries no risk level: its amount is weighted by its probability alone.
_NO_RISK = RiskFactors(low=Decimal(1))

TABLE = Table(
    "pipeline",
    [
        ("kind", "text"),
        ("document_id", "text"),
        ("name", "text"),
        ("customer_id", "text"),
        ("prospect", "text"),
        ("stage", "text"),
        ("stage_name", "text"),
        ("probability", "int"),
        ("risk", "text"),
        ("currency", "text"),
        ("amount", "money"),
        ("base_currency", "text"),
        ("amount_base", "money"),
        ("weighted_amount", "money"),
        ("weighted_base", "money"),
        ("salesperson", "text"),
        ("sale_type", "text"),
        ("zone", "text"),
        ("country", "text"),
        ("expected_close", "date"),
        ("status", "text"),
        ("updated_at", "timestamp"),
        ("position", "int"),
    ],
)


def reporting_currency(app: Comptoir) -> str:
    """The currency the views report in, as the company's settings state it;
    `BASE_CURRENCY` while the company is not established."""
    try:
        return app.company.get().details.reporting_currency
    except CompanyNotEstablished:
        return BASE_CURRENCY


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


class PipelineAffairsView:
    """The affairs' rows of the `pipeline` table."""

    table: Table = TABLE
    key: str = "document_id"
    document: type[Aggregate] = Affair
    history: bool = True

    def __init__(
        self, risk_factors: RiskFactors = DEFAULT_RISK_FACTORS, base_currency: str = BASE_CURRENCY
    ) -> None:
        self.risk_factors = risk_factors
        self.base_currency = base_currency

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        affair = folded.aggregate
        assert isinstance(affair, Affair)
        if affair.status != AffairStatus.OPEN:
            return []
        probability = affair.probability
        try:
            base: Money | None = affair.expected_amount_in(self.base_currency)
        except CurrencyNotConfigured:
            base = None
        weighted_base = (
            None
            if base is None
            else weighted_amount(base, probability, affair.risk, self.risk_factors).amount
        )
        return [
            {
                "kind": "affair",
                "document_id": str(affair.id),
                "name": affair.name,
                "customer_id": _text(affair.customer_id),
                "prospect": affair.prospect,
                "stage": affair.stage,
                "stage_name": affair.ladder.stage(affair.stage).name,
                "probability": probability,
                "risk": str(affair.risk),
                "currency": affair.currency,
                "amount": affair.expected_amount,
                "base_currency": self.base_currency,
                "amount_base": None if base is None else base.amount,
                "weighted_amount": affair.weighted_amount(self.risk_factors).amount,
                "weighted_base": weighted_base,
                "salesperson": affair.salesperson,
                "sale_type": str(affair.sale_type),
                "zone": affair.zone,
                "country": affair.country,
                "expected_close": affair.expected_close,
                "status": str(affair.status),
                "updated_at": affair.modified_on,
                "position": folded.position,
            }
        ]


class PipelineQuotesView:
    """The rows of open quotes outside any affair in the `pipeline` table."""

    table: Table = TABLE
    key: str = "document_id"
    document: type[Aggregate] = Quote
    history: bool = True

    def __init__(self, base_currency: str = BASE_CURRENCY) -> None:
        self.base_currency = base_currency

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        quote = folded.aggregate
        assert isinstance(quote, Quote)
        probability = QUOTE_PROBABILITY.get(quote.status)
        if probability is None or quote.affair_id is not None:
            return []
        amount = Money(quote_totals(quote).net, quote.currency)
        weighted = weighted_amount(amount, probability, Risk.LOW, _NO_RISK).amount
        in_base = quote.currency == self.base_currency
        return [
            {
                "kind": "quote",
                "document_id": str(quote.id),
                "name": quote.title,
                "customer_id": _text(quote.customer_id),
                "prospect": quote.prospect,
                "stage": QUOTE_STAGE,
                "stage_name": QUOTE_STAGE,
                "probability": probability,
                "risk": None,
                "currency": quote.currency,
                "amount": amount.amount,
                "base_currency": self.base_currency,
                "amount_base": amount.amount if in_base else None,
                "weighted_amount": weighted,
                "weighted_base": weighted if in_base else None,
                "salesperson": quote.salesperson,
                "sale_type": None,
                "zone": None,
                "country": None,
                "expected_close": quote.valid_until,
                "status": str(quote.status),
                "updated_at": quote.modified_on,
                "position": folded.position,
            }
        ]
