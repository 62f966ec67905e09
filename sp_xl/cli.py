"""The `sp-xl` command line: the same engines as the ribbon, without Excel."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sp_xl import __version__, i18n


def _functions(args: argparse.Namespace) -> int:
    from sp_xl.docs import reference

    sys.stdout.write(reference.as_markdown() if args.markdown else reference.as_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sp-xl",
        description=i18n.pick(
            "sp_xl: statusrapporten om Sundhedsplatformen i Excel, også uden Excel.",
            "sp_xl: the Sundhedsplatformen status report in Excel, and without Excel.",
        ),
    )
    p.add_argument("--version", action="version", version=f"sp-xl {__version__}")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help=i18n.pick("sprog for tekster (da/en)", "language of texts (da/en)"))
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO" if i18n.language() == "da" else "COMMAND")

    f = sub.add_parser("functions", help=i18n.pick("vis funktionskataloget med hjælp", "show the function catalogue with help"))
    f.add_argument("--markdown", action="store_true", help=i18n.pick("som Markdown (til README)", "as Markdown (for the README)"))
    f.set_defaults(run=_functions)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 2
    if args.lang:
        with i18n.use_language(args.lang):
            return args.run(args)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
