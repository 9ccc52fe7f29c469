"""Currencies: ISO 4217 codes and their minor units, from CLDR via Babel."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_known_currency(code: str) -> bool:
    return code in _known_codes()


def minor_units(code: str) -> int:
    """Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD."""
    return get_currency_precision(code)
