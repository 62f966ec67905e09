"""Operating-system errors said in plain words: what went wrong with which file, and what to do.

The raw text of an ``OSError`` ("[Errno 28] No space left on device") is English and names
a C error; the user reads a Danish reason (English with SP_XL_LANG=en) and a next step
instead. ``safety.read_refusal`` and ``safety.write_refusal`` build the refusal from these texts.
"""

from __future__ import annotations

import errno
from pathlib import Path

# errno -> (Danish reason, English reason, Danish advice, English advice)
_REASONS = {
    errno.ENOSPC: ("disken er fuld", "the disk is full",
                   "Frigør plads på disken, og prøv igen.", "Free some space on the disk and try again."),
    errno.EDQUOT: ("din diskkvote er brugt op", "your disk quota is used up",
                   "Slet eller flyt nogle filer, og prøv igen.", "Delete or move some files and try again."),
    errno.EACCES: ("du har ikke adgang til den", "you do not have access to it",
                   "Vælg en fil og mappe, du har adgang til, eller bed om adgang.",
                   "Choose a file and folder you have access to, or ask for access."),
    errno.EPERM: ("du har ikke tilladelse", "you do not have permission",
                  "Vælg en fil og mappe, du har adgang til, eller bed om adgang.",
                  "Choose a file and folder you have access to, or ask for access."),
    errno.EROFS: ("drevet er skrivebeskyttet", "the drive is read-only",
                  "Gem på et andet drev.", "Save on another drive."),
    errno.ENOENT: ("den eller mappen findes ikke", "it or its folder does not exist",
                   "Kontrollér stien.", "Check the path."),
    errno.ENOTDIR: ("en del af stien er ikke en mappe", "part of the path is not a folder",
                    "Kontrollér stien.", "Check the path."),
    errno.EISDIR: ("det er en mappe", "it is a folder",
                   "Angiv et filnavn.", "Give a file name."),
    errno.ENAMETOOLONG: ("navnet er for langt", "the name is too long",
                         "Vælg et kortere navn eller en kortere sti.", "Choose a shorter name or path."),
    errno.EIO: ("der opstod en læse- eller skrivefejl på drevet", "the drive reported an input/output error",
                "Prøv igen, eller brug et andet drev.", "Try again, or use another drive."),
    errno.EBUSY: ("den er i brug af et andet program", "it is in use by another program",
                  "Luk programmet, og prøv igen.", "Close that program and try again."),
    errno.EMFILE: ("der er for mange åbne filer", "too many files are open",
                   "Luk nogle programmer, og prøv igen.", "Close some programs and try again."),
}


def reason(exc: BaseException) -> tuple[str, str, str, str]:
    """(reason_da, reason_en, advice_da, advice_en) for an error from the operating system."""
    if isinstance(exc, MemoryError):
        return ("der er ikke hukommelse nok", "there is not enough memory",
                "Luk andre programmer, og prøv igen.", "Close other programs and try again.")
    code = getattr(exc, "errno", None)
    if code in _REASONS:
        return _REASONS[code]
    return (f"styresystemet meldte fejl nr. {code}" if code else "styresystemet meldte en fejl",
            f"the operating system reported error number {code}" if code else "the operating system reported an error",
            "Prøv igen; hvis det gentager sig, kontakt IT-support.", "Try again; if it happens again, contact IT support.")


def read_texts(path: Path, exc: BaseException) -> tuple[str, str]:
    """Danish and English text for a file that cannot be read."""
    da, en, do_da, do_en = reason(exc)
    return (f"{Path(path).name} kan ikke læses: {da}. {do_da}",
            f"{Path(path).name} cannot be read: {en}. {do_en}")


def write_texts(target: Path, exc: BaseException) -> tuple[str, str]:
    """Danish and English text for an output that cannot be written (nothing was left behind)."""
    da, en, do_da, do_en = reason(exc)
    target = Path(target)
    return (f"{target.name} kunne ikke gemmes i {target.parent}: {da}. Intet er ændret. {do_da}",
            f"{target.name} could not be saved in {target.parent}: {en}. Nothing was changed. {do_en}")
