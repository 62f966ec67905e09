"""Pictures of the readers' copy for reviewers: `python docs/pictures.py` (needs LibreOffice and
poppler's pdftoppm/pdftotext on PATH).

Builds the master, refreshes it, shares it with its PDF exactly as an analyst would
(`sp-xl new`, `refresh`, `share --pdf`), and keeps the first page of every sheet of the copy as
`docs/pictures/NN-<sheet>.png`, the front page first. The README shows the front page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "pictures"
TITLE = "Statusrapport for Sundhedsplatformen"


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main() -> int:
    missing = [t for t in ("soffice", "pdftoppm", "pdftotext") if shutil.which(t) is None]
    if missing:
        print(f"Mangler: {', '.join(missing)} (installér LibreOffice og poppler-utils).", file=sys.stderr)
        return 2
    from sp_xl.actions.refresh import refresh
    from sp_xl.actions.share import share_copy
    from sp_xl.master.build import build_master

    with tempfile.TemporaryDirectory(prefix="sp-xl-pictures-") as tmp:
        master = build_master(Path(tmp) / "sp_status.xlsx")
        refresh(master, backup=False)
        result = share_copy(master, pdf=True)
        pdf = result.pdf
        from sp_xl.ooxml.package import XlsxPackage
        names = sorted(XlsxPackage.open(result.path).sheet_names, key=len, reverse=True)
        pages = _run("pdftotext", "-layout", str(pdf), "-").split("\f")
        first_pages: dict[str, int] = {}
        for n, page in enumerate(pages, start=1):
            lines = [line for line in page.splitlines() if line.strip()]
            head = re.sub(r"\s+", " ", lines[0]).strip() if lines else ""
            sheet = next((s for s in names if head.startswith(TITLE) and head.endswith(" " + s)), None)
            if sheet:
                first_pages.setdefault(sheet, n)
        OUT.mkdir(exist_ok=True)
        for old in OUT.glob("*.png"):
            old.unlink()
        for i, (sheet, n) in enumerate(first_pages.items(), start=1):
            ascii_name = sheet.lower().replace("å", "aa").replace("æ", "ae").replace("ø", "oe").replace(" ", "-")
            stem = OUT / f"{i:02d}-{ascii_name}"
            _run("pdftoppm", "-r", "80", "-f", str(n), "-l", str(n), "-png", "-singlefile", str(pdf), str(stem))
            print(f"{stem.with_suffix('.png').relative_to(HERE.parent)}  (side {n})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
