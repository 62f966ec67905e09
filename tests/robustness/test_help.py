"""`sp-xl --help` and every subcommand's help: Danish, and English with SP_XL_LANG=en (issue 13, 6)."""

from __future__ import annotations

import re

import pytest

from sp_xl import cli

COMMANDS = [[], ["refresh"], ["new"], ["import"], ["share"], ["check"], ["functions"], ["extract-check"],
            ["addin"], ["addin", "build"], ["addin", "check"]]

# English words argparse or a forgotten help text would leave in the Danish help.
ENGLISH = re.compile(r"\b(show|the|usage|options|positional|arguments|file|write|default|without|and|or|"
                     r"OUTPUT|COPY|WORKBOOK|EXTRACT|PATH|COMMAND)\b")
# Danish words that must not be left in the English help (the copy's file name is a name, not text).
DANISH = re.compile(r"[æøåÆØÅ]|\b(brug|tilvalg|argumenter|og|eller|fil|skriv|vis|PROJEKTMAPPE|UDTRÆK|KOPI|STI|"
                    r"KOMMANDO)\b")


def help_text(capsys, argv) -> str:
    with pytest.raises(SystemExit) as info:
        cli.main([*argv, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "sp-xl")
def test_help_is_danish(capsys, argv):
    text = help_text(capsys, argv)
    assert text.startswith("brug: sp-xl") and "vis denne hjælp og afslut" in text
    found = ENGLISH.findall(re.sub(r"--[\w-]+", "", text.replace("sp_xl", "")))     # option names are names
    assert not found, (found, text)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "sp-xl")
def test_help_is_english_on_request(capsys, monkeypatch, argv):
    monkeypatch.setenv("SP_XL_LANG", "en")
    text = help_text(capsys, argv)
    assert text.startswith("usage: sp-xl") and "show this help message and exit" in text
    found = DANISH.findall(text.replace("(delt\n", "").replace("(delt kopi)", "").replace("kopi).xlsx", "")
                                .replace("Sundhedsplatformen", ""))
    assert not found, (found, text)


def test_the_main_help_names_the_exit_codes_and_debug(capsys):
    text = " ".join(help_text(capsys, []).split())
    assert "Afslutningskoder: 0 udført; 1 udført, men der er fundet problemer" in text
    assert "2 afvist – én linje »Afvist: …« på stderr, intet er skrevet." in text
    assert "--debug" in text


@pytest.mark.parametrize("command", ["refresh", "import", "share", "check"])
def test_refusals_in_english_on_request(tmp_path, capsys, monkeypatch, command):
    from tests.robustness.conftest import FIXTURES, make_bad

    monkeypatch.setenv("SP_XL_LANG", "en")
    for kind, words in (("empty", "is empty"), ("zip_bomb", "looks like a zip bomb"), ("dtd_core", "holds a DTD")):
        bad = make_bad(kind, tmp_path)
        argv = [command, str(bad)] + ([str(FIXTURES / "lpr_fejl.csv")] if command == "import" else [])
        capsys.readouterr()
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("Refused: ") and words in err and len(err.splitlines()) == 1, err
        assert not DANISH.findall(err.replace(bad.name, "")), err
