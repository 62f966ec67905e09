"""The `sp-xl` command line: the same engines as the ribbon, without Excel.

Each subcommand imports its engine only when it runs, so `sp-xl functions` stays quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sp_xl import __version__, i18n


def _refused(message: str) -> int:
    from sp_xl.actions.outcome import EXIT_REFUSED, refusal_line

    print(refusal_line(message), file=sys.stderr)
    return EXIT_REFUSED


def _functions(args: argparse.Namespace) -> int:
    from sp_xl.docs import reference

    sys.stdout.write(reference.as_markdown() if args.markdown else reference.as_text())
    return 0


def _new(args: argparse.Namespace) -> int:
    from sp_xl.master.build import build_master
    from sp_xl.ooxml.safety import WorkbookRefused

    try:
        path = build_master(args.path, overwrite=args.overwrite)
    except WorkbookRefused as exc:
        return _refused(exc.message)
    print(i18n.pick(f"Ny projektmappe skrevet: {path}", f"New workbook written: {path}"))
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from sp_xl.actions import refresh

    code = refresh.run_cli(args)
    if code == 0 and args.output and not (args.quiet or args.json):
        print(i18n.pick(f"Resultatet ligger i {Path(args.output).resolve()}", f"The result is in {Path(args.output).resolve()}"))
    return code


def _import(args: argparse.Namespace) -> int:
    from sp_xl.actions import importing

    return importing.run_cli(args)


def _share(args: argparse.Namespace) -> int:
    from sp_xl.actions import share

    return share.run_cli(args)


def _check(args: argparse.Namespace) -> int:
    from sp_xl.actions import check

    return check.run_cli(args)


def _extract_check(args: argparse.Namespace) -> int:
    from sp_xl.extracts.check import check_sources

    return check_sources(args.sources)


def _doctor(args: argparse.Namespace) -> int:
    from sp_xl.actions import doctor

    return doctor.run()


def _bundle(args: argparse.Namespace) -> int:
    from sp_xl.addin import bundle

    return bundle.run_cli(args)


def _selfcheck(args: argparse.Namespace) -> int:
    from sp_xl.master.selfcheck import build_selfcheck

    print(i18n.pick(f"Skrevet: {build_selfcheck(args.output)}", f"Written: {build_selfcheck(args.output)}"))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said as every refusal is: one line "Afvist: …" (exit 2)."""

    def error(self, message: str):
        from sp_xl.actions.outcome import EXIT_REFUSED, refusal_line

        print(refusal_line(i18n.pick(f"{message} – se {self.prog} --help.", f"{message} – see {self.prog} --help.")),
              file=sys.stderr)
        raise SystemExit(EXIT_REFUSED)


def _add(sub, name: str, da: str, en: str, run) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=i18n.pick(da, en))
    p.set_defaults(run=run)
    return p


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s engine is imported to add its options (keeps start-up quick)."""
    p = _Parser(
        prog="sp-xl",
        description=i18n.pick("sp_xl: statusrapporten om Sundhedsplatformen i Excel, også uden Excel.",
                              "sp_xl: the Sundhedsplatformen status report in Excel, and without Excel."),
    )
    p.add_argument("--version", action="version", version=f"sp-xl {__version__}",
                   help=i18n.pick("vis versionsnummeret og afslut", "show the version number and exit"))
    p.add_argument("--lang", choices=i18n.LANGUAGES, help=i18n.pick("sprog for tekster (da/en)", "language of texts (da/en)"))
    p.add_argument("--debug", action="store_true",
                   help=i18n.pick("vis den tekniske fejludskrift (traceback) ved en intern fejl; kan stå hvor som helst",
                                  "show the technical error output (traceback) on an internal error; may stand anywhere"))
    p.epilog = i18n.pick("Afslutningskoder: 0 udført; 1 udført, men der er fundet problemer (check) eller ikke "
                         "alt er importeret (import); 2 afvist – én linje »Afvist: …« på stderr, intet er skrevet.",
                         "Exit codes: 0 done; 1 done, but problems were found (check) or not everything was "
                         "imported (import); 2 refused – one line \"Refused: …\" on stderr, nothing was written.")
    sub = p.add_subparsers(dest="command", metavar=i18n.pick("KOMMANDO", "COMMAND"))

    r = _add(sub, "refresh", "genberegn alle formler og gem resultaterne i filen, uden Excel",
             "recompute every formula and store the results in the file, without Excel", _refresh)
    if command == "refresh":
        from sp_xl.actions import refresh

        refresh.add_arguments(r)

    n = _add(sub, "new", "byg master-projektmappen (workbooks/sp_status.xlsx) fra koden",
             "build the master workbook (workbooks/sp_status.xlsx) from code", _new)
    n.add_argument("path", metavar=i18n.pick("PROJEKTMAPPE", "WORKBOOK"), help=i18n.pick("hvor den nye projektmappe skal skrives (.xlsx)", "where to write the new workbook (.xlsx)"))
    n.add_argument("--overwrite", action="store_true", help=i18n.pick("erstat en eksisterende fil", "replace an existing file"))

    i = _add(sub, "import", "importér udtræk i arbejdsbogens dataark", "import extracts into the workbook's data sheets",
             _import)
    if command == "import":
        from sp_xl.actions import importing

        importing.add_arguments(i)

    s = _add(sub, "share", "skriv e-mail-kopien til modtagere uden tilføjelsesprogrammet",
             "write the e-mail copy for readers without the add-in", _share)
    if command == "share":
        from sp_xl.actions import share

        share.add_arguments(s)

    c = _add(sub, "check", "tjek en gemt projektmappe for fejlværdier, datafejl og links til et andet tilføjelsesprogram",
             "check a saved workbook for error values, data problems and links to another add-in", _check)
    if command == "check":
        from sp_xl.actions import check

        check.add_arguments(c)

    f = _add(sub, "functions", "vis funktionskataloget med hjælp", "show the function catalogue with help", _functions)
    f.add_argument("--markdown", action="store_true", help=i18n.pick("som Markdown (til README)", "as Markdown (for the README)"))

    x = _add(sub, "extract-check", "læs udtræk og vis, hvad de indeholder, uden at skrive noget",
             "read extracts and show what they hold, writing nothing", _extract_check)
    x.add_argument("sources", nargs="+", metavar=i18n.pick("UDTRÆK", "EXTRACT"), help=i18n.pick("udtræksfiler (CSV/XLSX)", "extract files (CSV/XLSX)"))

    _add(sub, "doctor", "tjek, om denne pc opfylder alt, hvad Excel-tilføjelsesprogrammet kræver",
         "check that this PC meets everything the Excel add-in needs", _doctor)

    sc = _add(sub, "selfcheck", "byg selvtjek-projektmappen: alle SP_-funktioner med OK/FEJL (til test i Excel)",
              "build the self-check workbook: every SP_ function with OK/FEJL (for testing in Excel)", _selfcheck)
    sc.add_argument("-o", "--output", default="workbooks/selvtjek.xlsx", metavar=i18n.pick("STI", "PATH"),
                    help=i18n.pick("hvor den skrives (standard: workbooks/selvtjek.xlsx)",
                                   "where to write it (default: workbooks/selvtjek.xlsx)"))

    b = _add(sub, "bundle", "byg offline-installationspakken til IT (Windows-wheels, Python, tilføjelsesprogram)",
             "build the offline installation bundle for IT (Windows wheels, Python, add-in)", _bundle)
    if command == "bundle":
        from sp_xl.addin import bundle

        bundle.add_arguments(b)

    from sp_xl.addin import cli as addin_cli  # light: imports its engine only when run

    a = sub.add_parser("addin", help=i18n.pick("byg eller tjek Excel-tilføjelsesprogrammet sp_xl.xlam",
                                               "build or check the Excel add-in sp_xl.xlam"))
    asub = a.add_subparsers(dest="addin_command", required=True)
    addin_cli.add_build_arguments(_add(asub, "build", "byg install/sp_xl.xlam fra kildeteksterne",
                                       "build install/sp_xl.xlam from the sources", addin_cli.run_build))
    addin_cli.add_check_arguments(_add(asub, "check", "tjek et bygget tilføjelsesprogram mod registret",
                                       "check a built add-in against the registry", addin_cli.run_check))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language must be known before the help texts are built.
    if "--lang" in argv[:-1]:
        lang = argv[argv.index("--lang") + 1]
        if lang in i18n.LANGUAGES:
            with i18n.use_language(lang):
                return _run(argv)
    return _run(argv)


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping the global options)."""
    rest = iter(argv)
    for token in rest:
        if token == "--lang":
            next(rest, None)
        elif not token.startswith("-"):
            return token
    return None


# argparse's own words (usage, options, its error messages) in the language of the texts.
_ARGPARSE_DA = {
    "usage: ": "brug: ",
    "options": "tilvalg",
    "positional arguments": "argumenter",
    "show this help message and exit": "vis denne hjælp og afslut",
    "show program's version number and exit": "vis versionsnummeret og afslut",
    "the following arguments are required: %s": "disse argumenter mangler: %s",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ugyldigt valg: %(value)r (vælg mellem %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "expected one argument": "forventede ét argument",
    "expected at least one argument": "forventede mindst ét argument",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
}


def _argparse_words(text: str) -> str:
    return _ARGPARSE_DA.get(text, text) if i18n.language() == "da" else text


def _run(argv: list[str]) -> int:
    from sp_xl.actions.outcome import EXIT_INTERRUPTED, EXIT_REFUSED, refusal_line, refusal_text

    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]    # allowed anywhere, also after the subcommand
    argparse._ = _argparse_words                  # the module looks its words up at use
    parser = build_parser(_command(argv))
    args = parser.parse_args(argv)
    args.debug = debug
    if getattr(args, "run", None) is None:
        parser.print_help()
        return EXIT_REFUSED
    try:
        return args.run(args)
    except BrokenPipeError:              # the reader of stdout went away (`| head`): the work is done
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        if debug:
            raise
        print(i18n.pick("Afbrudt: intet er ændret.", "Interrupted: nothing was changed."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one readable line, no traceback
        if debug:
            raise
        path = getattr(args, "path", None)
        print(refusal_line(refusal_text(args.command or "", exc, Path(path).name if path else None)),
              file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    raise SystemExit(main())
