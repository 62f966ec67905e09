"""What an action did: the lines for a message box (the ribbon) or the terminal.

The ribbon handlers and the command line both report through ``Outcome``; ``failure``
turns an engine's refusal or an unexpected error into one in plain Danish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sp_xl import __version__, i18n

TITLE = "SP Rapport"
KONTROL_SHEET = "Kontrol"
# Action -> (Danish label, English label): the ribbon's button texts.
ACTIONS = {
    "refresh": ("Opdater alle ark", "Refresh all sheets"),
    "import": ("Importér udtræk", "Import extracts"),
    "check": ("Tjek data", "Check data"),
    "share": ("Del som e-mail-kopi", "Share as e-mail copy"),
    "functions": ("Funktioner", "Functions"),
    "doctor": ("Diagnose", "Diagnosis"),
}


@dataclass
class Outcome:
    """What an action did, for the message box and for tests."""

    action: str
    ok: bool
    lines: list[str] = field(default_factory=list)
    available: bool = True

    @property
    def title(self) -> str:
        da, en = ACTIONS[self.action]
        return f"{TITLE} – {i18n.pick(da, en)}"

    def text(self, max_lines: int = 25) -> str:
        """The message for a dialog: long lists are cut, with a count of what is left out."""
        shown = self.lines[:max_lines]
        rest = len(self.lines) - len(shown)
        if rest > 0:
            shown.append(i18n.pick(f"… og {rest} linjer mere.", f"… and {rest} more lines."))
        return "\n".join(shown)


def not_available(action: str) -> Outcome:
    da, en = ACTIONS[action]
    return Outcome(action, ok=False, available=False, lines=[i18n.pick(
        f"»{da}« findes ikke i denne version af sp_xl ({__version__}). "
        "Handlingen kommer i en senere version; indtil da skal det gøres manuelt.",
        f"\"{en}\" is not available in this version of sp_xl ({__version__}). "
        "It will come in a later version; until then it has to be done by hand.")])


def failure(action: str, exc: BaseException) -> Outcome:
    """A refusal from an engine keeps its own Danish text; anything else gets a plain one."""
    message = getattr(exc, "message", None) or (
        i18n.pick(exc.reason_da, exc.reason_en) if hasattr(exc, "reason_da") else None)
    if not message:
        message = i18n.pick(
            f"Handlingen stoppede på grund af en uventet fejl ({type(exc).__name__}: {exc}). "
            "Projektmappen er ikke ændret af den fejlende handling. Kontakt sp_xl-teamet.",
            f"The action stopped because of an unexpected error ({type(exc).__name__}: {exc}). "
            "The workbook was not changed by the failed action. Contact the sp_xl team.")
    return Outcome(action, ok=False, lines=[message])


def describe(result: Any) -> list[str]:
    if hasattr(result, "describe"):
        return str(result.describe()).splitlines()
    if isinstance(result, (str, Path)):
        return [i18n.pick(f"Skrevet: {result}", f"Written: {result}")]
    return [str(result)]
