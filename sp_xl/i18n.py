"""User-facing language: Danish by default, English on request.

The language is chosen by the environment variable SP_XL_LANG ("da" or "en"), or for one
call with ``use_language``. Code and logs stay English; every text a user reads goes
through ``text``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

LANGUAGES = ("da", "en")
MONTH_NAMES_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                  "september", "oktober", "november", "december")
DAY_NAMES_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_override: list[str] = []


def language() -> str:
    if _override:
        return _override[-1]
    lang = os.environ.get("SP_XL_LANG", "da").strip().lower()[:2]
    return lang if lang in LANGUAGES else "da"


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {LANGUAGES}")
    _override.append(lang)
    try:
        yield
    finally:
        _override.pop()


def pick(da: str, en: str) -> str:
    """The text in the current language."""
    return en if language() == "en" else da
