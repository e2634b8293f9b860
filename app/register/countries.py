"""Country codes the register accepts: ISO 3166-1 alpha-2 as pycountry maintains the list
(officially assigned codes only: XX, ZZ, EU and the like are refused), plus XK, the
user-assigned code for Kosovo that the EU and most registries use."""

from __future__ import annotations

import pycountry

USER_ASSIGNED = frozenset({"XK"})
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries) | USER_ASSIGNED


def is_country(code: object) -> bool:
    return isinstance(code, str) and code in COUNTRY_CODES


def is_jurisdiction(code: object) -> bool:
    """A country ("GB"), or a subdivision of one in ISO 3166-2 ("US-DE", "CN-SH")."""
    if not isinstance(code, str):
        return False
    country, _, subdivision = code.partition("-")
    if not subdivision:
        return is_country(country)
    return is_country(country) and pycountry.subdivisions.get(code=code) is not None
