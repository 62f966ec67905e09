#!/usr/bin/env bash
# SP Rapport (sp_xl) på en Mac: det, der virker der.
#
# Virker: fanen "SP Rapport" og dens knapper (Opdater alle ark, Tjek data, ...), som kører
# Python via xlwings' RunPython (AppleScript).
# Virker IKKE: SP_-funktionerne i celler. Klassiske xlwings-UDF'er findes kun i Excel til
# Windows; på en Mac viser cellerne #VÆRDI!, og SP_FEJLTEKST siger hvorfor. Beregn i stedet
# projektmappen med "Opdater alle ark" (eller sp-xl refresh), så cellerne får deres værdier.
#
# Kør fra sp_xl-mappen:  bash install/install-mac.sh        Fjern igen:  bash install/install-mac.sh --uninstall
# Kan køres flere gange.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(dirname "$here")"
home_dir="$HOME/.sp_xl"                       # no spaces: the path travels through AppleScript
venv="$home_dir/venv"
conf="$HOME/Library/Containers/com.microsoft.Excel/Data/sp_xl.conf"
scripts_dir="$HOME/Library/Application Scripts/com.microsoft.Excel"
office="$HOME/Library/Group Containers/UBF8T346G9.Office"

say() { printf '  %s\n' "$*"; }
fail() { printf 'FEJL: %s\n' "$*" >&2; exit 1; }

startup_dir() {
    # Excel's start-up folder; its name is localised on some Macs.
    local d
    for d in "$office/User Content.localized/Startup.localized/Excel" "$office/User Content/Startup/Excel"; do
        if [ -d "$d" ]; then printf '%s\n' "$d"; return; fi
    done
    printf '%s\n' "$office/User Content/Startup/Excel"
}

if [ "${1:-}" = "--uninstall" ]; then
    addin="$(startup_dir)/sp_xl.xlam"
    for path in "$addin" "$conf" "$scripts_dir/xlwings-0.37.8.applescript"; do
        if [ -e "$path" ]; then rm -f "$path"; say "Slettet: $path"; else say "Findes ikke: $path"; fi
    done
    if [ -d "$home_dir" ]; then rm -rf "$home_dir"; say "Slettet: $home_dir"; else say "Findes ikke: $home_dir"; fi
    exit 0
fi

[ -f "$source_dir/pyproject.toml" ] || fail "Kør scriptet fra sp_xl-mappen (pyproject.toml mangler i $source_dir)."
[ -f "$here/sp_xl.xlam" ] || fail "sp_xl.xlam mangler i $here."

echo "== 1. Python"
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        python="$(command -v "$candidate")"
        break
    fi
done
[ -n "$python" ] || fail "Python 3.11 eller nyere mangler. Installér det fra python.org (eller med Homebrew) og kør scriptet igen."
say "Fundet: $python ($("$python" --version))"

echo "== 2. Privat Python-miljø"
if [ -x "$venv/bin/python" ]; then
    say "Findes allerede: $venv"
else
    mkdir -p "$home_dir"
    "$python" -m venv "$venv"
    say "Oprettet: $venv"
fi

echo "== 3. sp_xl og afhængigheder"
"$venv/bin/python" -m pip install --disable-pip-version-check --upgrade -c "$here/constraints.txt" "$source_dir"
say "Installeret: $("$venv/bin/python" -c 'import sp_xl, xlwings; print("sp_xl", sp_xl.__version__, "/ xlwings", xlwings.__version__)')"

echo "== 4. RunPython (AppleScript)"
"$venv/bin/xlwings" runpython install
say "Kopieret til: $scripts_dir"

echo "== 5. Tilføjelsesprogrammet"
target_dir="$(startup_dir)"
mkdir -p "$target_dir"
if cmp -s "$here/sp_xl.xlam" "$target_dir/sp_xl.xlam"; then
    say "Findes allerede i samme version: $target_dir/sp_xl.xlam"
else
    cp "$here/sp_xl.xlam" "$target_dir/sp_xl.xlam"
    say "Kopieret til: $target_dir/sp_xl.xlam"
fi

echo "== 6. xlwings-opsætning"
mkdir -p "$(dirname "$conf")"
tmp="$(mktemp "$(dirname "$conf")/.sp_xl.conf.XXXXXX")"
if [ -f "$conf" ]; then
    grep -v -e '^"INTERPRETER_MAC",' -e '^"UDF MODULES",' -e '^"ADD_WORKBOOK_TO_PYTHONPATH",' "$conf" > "$tmp" || true
fi
{
    # $HOME stays literal: the add-in expands it (GetConfig -> ExpandEnvironmentStrings).
    # shellcheck disable=SC2016
    printf '"INTERPRETER_MAC","$HOME/.sp_xl/venv/bin/python"\n'
    printf '"UDF MODULES","sp_xl.udfs"\n'
    printf '"ADD_WORKBOOK_TO_PYTHONPATH","false"\n'
} >> "$tmp"
mv "$tmp" "$conf"
say "Skrevet: $conf"

echo
echo "Færdig. Start Excel igen: fanen 'SP Rapport' er klar. SP_-funktionerne i celler virker kun i Excel til Windows."
