"""The affair's stage ladder (A2) and the pipeline maths that weigh an amount (V1).

Definitions, written down once:

- A ladder is an ordered list of stages, each with a code, a name and a probability
  percent. Its last stage is the won stage. `lost` is not on any ladder: it is the
  terminal state an affair enters with a reason.
- Weighted amount = amount × stage probability ÷ 100 × risk factor, rounded half-up
  to the currency's minor unit (`domain.values.round_money`).
- Time in stage: the stage history is a list of (code, entered at); each entry lasts
  until the next one is entered, the last one until `now`. A stage entered several
  times adds up.
- Conversion of stage S = affairs that reached the stage after S ÷ affairs that
  reached S, where "reached S" means the history holds S or any stage ranked after S
  on the ladder (stages may be skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidStageLadder, UnknownStage
from domain.values import HUNDRED, Money, check_finite, round_money

LOST = "lost"


@dataclass(frozen=True)
class Stage:
    """One rung of a stage ladder: code, name and probability percent (0–100)."""

    code: str
    name: str
    probability: int

    def __post_init__(self) -> None:
        if not self.code or not self.code.strip():
            raise InvalidStageLadder("a stage needs a code")
        if self.code == LOST:
            raise InvalidStageLadder(f"{LOST!r} is reserved for lost affairs")
        if isinstance(self.probability, bool) or not 0 <= self.probability <= 100:
            raise InvalidStageLadder(
                f"stage {self.code!r}: probability must be 0–100, got {self.probability}"
            )


@dataclass(frozen=True)
class StageLadder:
    """An ordered list of stages; the last one is the won stage."""

    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        # Storage gives back lists (and dicts for nested stages on old data).
        object.__setattr__(self, "stages", tuple(self.stages))
        if len(self.stages) < 2:
            raise InvalidStageLadder("a ladder needs at least two stages")
        codes = [s.code for s in self.stages]
        if len(set(codes)) != len(codes):
            raise InvalidStageLadder(f"stage codes must be unique: {codes}")

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.stages]

    @property
    def first(self) -> str:
        return self.stages[0].code

    @property
    def won(self) -> str:
        return self.stages[-1].code

    def stage(self, code: str) -> Stage:
        """The stage with that code, else `UnknownStage`."""
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise UnknownStage(f"no stage {code!r} on the ladder {self.codes}")

    def rank(self, code: str) -> int:
        """Position of a stage on the ladder (0 for the first)."""
        return self.codes.index(self.stage(code).code)

    def probability(self, code: str) -> int:
        """Probability percent of a stage; 0 for lost."""
        return 0 if code == LOST else self.stage(code).probability


DEFAULT_LADDER = StageLadder(
    (
        Stage("P", "prospection", 10),
        Stage("E", "evaluation", 30),
        Stage("M", "maturation", 50),
        Stage("B", "budgeting", 70),
        Stage("A", "purchase", 100),
    )
)


@dataclass(frozen=True)
class StageEntry:
    """The affair entered stage `code` at `entered_at`."""

    code: str
    entered_at: datetime


def time_in_stages(history: Sequence[StageEntry], now: datetime) -> dict[str, float]:
    """Seconds spent in each stage, the last entry counting until `now` (never < 0)."""
    spent: dict[str, float] = {}
    for entry, following in zip(history, [*history[1:], None], strict=True):
        until = now if following is None else following.entered_at
        seconds = max((until - entry.entered_at).total_seconds(), 0.0)
        spent[entry.code] = spent.get(entry.code, 0.0) + seconds
    return spent


def conversion_rates(
    histories: Iterable[Sequence[StageEntry]], ladder: StageLadder
) -> dict[str, Decimal | None]:
    """Per stage except the last: percent of affairs reaching it that reached the next."""
    codes = ladder.codes
    reached = [0] * len(codes)
    for history in histories:
        ranks = [codes.index(e.code) for e in history if e.code in codes]
        for rank in range(max(ranks, default=-1) + 1):
            reached[rank] += 1
    rates: dict[str, Decimal | None] = {}
    for rank, code in enumerate(codes[:-1]):
        if reached[rank] == 0:
            rates[code] = None
        else:
            rate = Decimal(reached[rank + 1]) * HUNDRED / Decimal(reached[rank])
            rates[code] = rate.quantize(Decimal("0.01"))
    return rates


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class RiskFactors:
    """How much of a stage-weighted amount each risk level keeps (fractions of 1)."""

    low: Decimal = Decimal("1.0")
    medium: Decimal = Decimal("0.75")
    high: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        for risk in Risk:
            check_finite(self.factor(risk), f"{risk} risk factor")

    def factor(self, risk: Risk | str) -> Decimal:
        factor: Decimal = getattr(self, str(Risk(risk)))
        return factor


DEFAULT_RISK_FACTORS = RiskFactors()


def weighted_amount(
    amount: Money,
    probability_percent: int | Decimal,
    risk: Risk | str,
    factors: RiskFactors = DEFAULT_RISK_FACTORS,
) -> Money:
    """amount × probability ÷ 100 × risk factor, rounded half-up to the currency."""
    weighted = amount.amount * Decimal(probability_percent) / HUNDRED * factors.factor(risk)
    return Money(round_money(weighted, amount.currency), amount.currency)
