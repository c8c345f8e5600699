"""Every view the product serves, in the order the projector writes them."""

from __future__ import annotations

from domain.stages import RiskFactors
from projections.affair_entries import AffairEntriesView
from projections.audit import AuditView
from projections.base import DocumentView, EventView
from projections.budget import BudgetVsActualView
from projections.contract_revenue import ContractBilledPeriodsView, ContractSuspensionsView
from projections.contracts import ContractsView, ContractTermsView
from projections.customers import CustomersView
from projections.invoices import InvoicesView
from projections.lists import list_views
from projections.margins import margin_views
from projections.notices import NoticesView
from projections.orders import OrderInvoicesView, OrderLinesView, OrdersView
from projections.pipeline import BASE_CURRENCY, PipelineAffairsView, PipelineQuotesView
from projections.price_history import PriceHistoryView
from projections.products import ProductsView
from projections.quotes import QuotesView
from projections.stages import StageHistoryView
from projections.warranty import ServiceCasesView, WarrantyView

# Tables earlier versions folded that no view writes any more, dropped from older files:
# the budget's history by category (now one row a state, `budget_figures_history`).
RETIRED_TABLES = ("budget_vs_actual_history",)


def default_views(
    risk_factors: RiskFactors | None = None, base_currency: str = BASE_CURRENCY
) -> tuple[list[DocumentView], list[EventView]]:
    """Every view the product serves, weighting the pipeline with the company's risk factors
    and converting its amounts to the company's reporting currency."""
    return [
        QuotesView(),
        CustomersView(),
        NoticesView(),
        OrdersView(),
        OrderLinesView(),
        OrderInvoicesView(),
        InvoicesView(),
        WarrantyView(),
        ServiceCasesView(),
        ContractsView(),
        ContractTermsView(),
        ContractBilledPeriodsView(),
        ContractSuspensionsView(),
        PipelineAffairsView(risk_factors or RiskFactors(), base_currency),
        PipelineQuotesView(base_currency),
        StageHistoryView(base_currency),
        BudgetVsActualView(),
        ProductsView(),
        PriceHistoryView(),
        *list_views(),
        *margin_views(),
    ], [AuditView(), AffairEntriesView()]
