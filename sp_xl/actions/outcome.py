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


# Exit codes of every `sp-xl` command (README, "Exit codes").
EXIT_DONE = 0          # done: the result is written or printed
EXIT_PROBLEMS = 1      # done, and it found problems, listed on stdout (check; import: not all imported)
EXIT_REFUSED = 2       # refused: one line "Afvist: ..." on stderr, nothing written
EXIT_INTERRUPTED = 130  # stopped with Ctrl+C: nothing written

# What a command does, as the subject of "... stoppede" (Danish, English).
_WORK = {
    "refresh": ("Opdateringen", "The refresh"),
    "import": ("Importen", "The import"),
    "check": ("Tjekket", "The check"),
    "share": ("Delingen", "Sharing"),
    "new": ("Opbygningen", "Building"),
    "functions": ("Funktionslisten", "The function list"),
}


def refusal_text(action: str, exc: BaseException, name: str | None = None, command_line: bool = True) -> str:
    """What ended an action, for one line or a message box: an engine's refusal keeps its own
    Danish text; an operating-system error (disk full, no access) is said in plain words; a bug
    says so, without its raw (English) exception text."""
    message = getattr(exc, "message", None) or (
        i18n.pick(exc.reason_da, exc.reason_en) if hasattr(exc, "reason_da") else None)
    if message:
        return message
    from sp_xl.ooxml import oserrors

    da, en = _WORK.get(action, ("Handlingen", "The action"))
    of_da, of_en = (f" af {name}", f" of {name}") if name else ("", "")
    if isinstance(exc, (OSError, MemoryError)):
        why_da, why_en, do_da, do_en = oserrors.reason(exc)
        return i18n.pick(f"{da}{of_da} stoppede: {why_da}. Intet er ændret. {do_da}",
                         f"{en}{of_en} stopped: {why_en}. Nothing was changed. {do_en}")
    do_da, do_en = (("Kør kommandoen igen med --debug, og send udskriften til sp_xl-teamet.",
                     "Run the command again with --debug and send the output to the sp_xl team.") if command_line
                    else ("Kontakt sp_xl-teamet.", "Contact the sp_xl team."))
    return i18n.pick(f"{da}{of_da} stoppede på grund af en intern fejl i sp_xl ({type(exc).__name__}). "
                     f"Intet er ændret. {do_da}",
                     f"{en}{of_en} stopped because of an internal error in sp_xl ({type(exc).__name__}). "
                     f"Nothing was changed. {do_en}")


def refusal_line(message: str) -> str:
    """The one line a refused command prints on stderr."""
    return i18n.pick("Afvist: ", "Refused: ") + " ".join(message.split())


def failure(action: str, exc: BaseException) -> Outcome:
    """A refusal from an engine keeps its own Danish text; anything else gets a plain one."""
    return Outcome(action, ok=False, lines=[refusal_text(action, exc, command_line=False)])


def describe(result: Any) -> list[str]:
    if hasattr(result, "describe"):
        return str(result.describe()).splitlines()
    if isinstance(result, (str, Path)):
        return [i18n.pick(f"Skrevet: {result}", f"Written: {result}")]
    return [str(result)]
