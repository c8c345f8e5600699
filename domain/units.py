"""Units of measure as UN/ECE Recommendation 20 codes, the ones EN 16931 invoices carry.

Quotes and orders keep the free text a user typed ("unit", "hour", "jour"); an invoice
line keeps the code. `unit_code` takes either a known code or one of those words.
"""

from __future__ import annotations

from domain.errors import UnknownUnitCode

# The Rec 20 codes a small company's invoices use, with their English names.
UNIT_CODES: dict[str, str] = {
    "C62": "one (unit)",
    "H87": "piece",
    "SET": "set",
    "PR": "pair",
    "LS": "lump sum",
    "SEC": "second",
    "MIN": "minute",
    "HUR": "hour",
    "DAY": "day",
    "WEE": "week",
    "MON": "month",
    "QAN": "quarter (of a year)",
    "ANN": "year",
    "GRM": "gram",
    "KGM": "kilogram",
    "TNE": "tonne",
    "MMT": "millimetre",
    "CMT": "centimetre",
    "MTR": "metre",
    "KMT": "kilometre",
    "MTK": "square metre",
    "MTQ": "cubic metre",
    "MLT": "millilitre",
    "LTR": "litre",
    "KWH": "kilowatt hour",
    "E48": "service unit",
    "XPK": "package",
    "XBX": "box",
    "XPA": "packet",
}

# Today's free-text units (English and French, singular and plural) and their codes.
UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(["unit", "units", "u", "un", "unite", "unité", "each", "ea"], "C62"),
    **dict.fromkeys(["piece", "pieces", "pc", "pcs", "pièce", "pièces"], "H87"),
    **dict.fromkeys(["set", "sets", "lot", "lots"], "SET"),
    **dict.fromkeys(["pair", "pairs", "paire", "paires"], "PR"),
    **dict.fromkeys(["lump sum", "flat", "forfait", "fixed price"], "LS"),
    **dict.fromkeys(["second", "seconds", "s", "seconde", "secondes"], "SEC"),
    **dict.fromkeys(["minute", "minutes", "min", "mn"], "MIN"),
    **dict.fromkeys(["hour", "hours", "h", "hr", "hrs", "heure", "heures"], "HUR"),
    **dict.fromkeys(["day", "days", "d", "jour", "jours", "j"], "DAY"),
    **dict.fromkeys(["week", "weeks", "wk", "semaine", "semaines"], "WEE"),
    **dict.fromkeys(["month", "months", "mo", "mois"], "MON"),
    **dict.fromkeys(["quarter", "quarters", "trimestre", "trimestres"], "QAN"),
    **dict.fromkeys(["year", "years", "yr", "an", "ans", "année", "années"], "ANN"),
    **dict.fromkeys(["g", "gram", "grams", "gramme", "grammes"], "GRM"),
    **dict.fromkeys(["kg", "kilogram", "kilograms", "kilogramme", "kilogrammes"], "KGM"),
    **dict.fromkeys(["t", "tonne", "tonnes", "ton", "tons"], "TNE"),
    **dict.fromkeys(["mm", "millimetre", "millimeter", "millimètre"], "MMT"),
    **dict.fromkeys(["cm", "centimetre", "centimeter", "centimètre"], "CMT"),
    **dict.fromkeys(["m", "metre", "metres", "meter", "meters", "mètre", "mètres"], "MTR"),
    **dict.fromkeys(["km", "kilometre", "kilometres", "kilometer", "kilomètre"], "KMT"),
    **dict.fromkeys(["m2", "m²", "sqm", "square metre", "mètre carré"], "MTK"),
    **dict.fromkeys(["m3", "m³", "cubic metre", "mètre cube"], "MTQ"),
    **dict.fromkeys(["ml", "millilitre", "milliliter"], "MLT"),
    **dict.fromkeys(["l", "litre", "litres", "liter", "liters"], "LTR"),
    **dict.fromkeys(["kwh"], "KWH"),
    **dict.fromkeys(["service", "services", "prestation", "prestations"], "E48"),
    **dict.fromkeys(["package", "packages", "colis"], "XPK"),
    **dict.fromkeys(["box", "boxes", "boîte", "boîtes", "carton", "cartons"], "XBX"),
    **dict.fromkeys(["packet", "packets", "paquet", "paquets"], "XPA"),
}


def unit_code(unit: str) -> str:
    """The Rec 20 code of `unit`: a known code (any case) or a word for it."""
    if not isinstance(unit, str):
        raise UnknownUnitCode(f"a unit must be text, got {unit!r}")
    text = " ".join(unit.split())
    if text.upper() in UNIT_CODES:
        return text.upper()
    code = UNIT_WORDS.get(text.lower())
    if code is None:
        raise UnknownUnitCode(
            f"unknown unit {unit!r}: use a UN/ECE Recommendation 20 code "
            f"({', '.join(sorted(UNIT_CODES))}) or a word such as 'unit', 'hour' or 'day'"
        )
    return code
