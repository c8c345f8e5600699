"""Company policies the use cases pass to the domain: thresholds, delays, factors."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.quote_policy import ApprovalPolicy
from domain.stages import RiskFactors


@dataclass(frozen=True)
class Policies:
    """Configured once per deployment (COMPTOIR_* settings); the domain decides with them."""

    approval: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    risk_factors: RiskFactors = field(default_factory=RiskFactors)
    quote_soon_days: int = 10
    warranty_soon_days: int = 30
    inactive_after_months: int = 18
    dunning_days: tuple[int, ...] = (7, 30, 45)  # the dunning levels, days after due
