"""The console in French and English: a message catalogue, the reader's language, and
numbers, amounts and dates written the way that language writes them (Babel).

Messages are written in English in the templates and code (`_("Pipeline")`); the French
catalogue (`FRENCH`, in `messages_fr`) gives their translation, and an English message
with no translation shows as written. The language comes from `?lang=`, then the
`comptoir_lang` cookie that `?lang=` sets, then `Accept-Language`; French otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent
from starlette.requests import Request

from interfaces.console.messages_fr import FRENCH

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
LANG_COOKIE = "comptoir_lang"
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_CATALOGUES: dict[str, dict[str, str]] = {"fr": FRENCH, "en": {}}


def language(request: Request) -> str:
    """The language to answer in: the query's, the cookie's, the browser's, else French."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if asked in LANGUAGES:
            return str(asked)
    return accepted(request.headers.get("accept-language", ""))


def accepted(header: str) -> str:
    """The best of our languages in an `Accept-Language` header (by q, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT


@dataclass(frozen=True)
class Words:
    """Translation and formatting in one language, as the templates use them."""

    lang: str

    @property
    def locale(self) -> str:
        return _LOCALES[self.lang]

    def gettext(self, message: str, **values: Any) -> str:
        text = _CATALOGUES[self.lang].get(message, message)
        return text.format(**values) if values else text

    def number(self, value: Any, digits: int | None = None) -> str:
        amount = _decimal(value)
        if amount is None:
            return "—"
        if digits is not None:
            amount = round(amount, digits)
        return format_decimal(amount, locale=self.locale, decimal_quantization=False)

    def money(self, value: Any, currency: str | None = None) -> str:
        amount = _decimal(value)
        if amount is None:
            return "—"
        if not currency:
            return format_decimal(amount, format="#,##0.00", locale=self.locale)
        return format_currency(amount, currency, locale=self.locale)

    def percent(self, value: Any, ratio: bool = False) -> str:
        amount = _decimal(value)
        if amount is None:
            return "—"
        return format_percent(amount if ratio else amount / 100, "#,##0.#%", locale=self.locale)

    def day(self, value: Any) -> str:
        if not value:
            return "—"
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return format_date(day, "medium", locale=self.locale)

    def month(self, value: date) -> str:
        return format_date(value, "MMM y", locale=self.locale)

    def instant(self, value: Any) -> str:
        if not value:
            return "—"
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=self.locale)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
