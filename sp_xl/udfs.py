"""The SP_ worksheet functions: the report's function library as Excel sees it.

This is the xlwings UDF module (``UDF_MODULES = sp_xl.udfs``). Each function's docstring is
its help in Excel's Insert Function dialog, in ``sp-xl functions`` and in the README, so it
is written for analysts. The work happens in ``sp_xl.calc``; this module only turns Excel's
arguments into arrays (``sp_xl.excel.coerce``) and the results back.

Every function here returns an error value instead of raising (``registry.udf`` guarantees
it): ``str(result)`` is then the Excel code, e.g. "#DIV/0!", and ``result.reason`` says why.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sp_xl.calc import flow, goals, growth, ranking, text, workdays
from sp_xl.calc.cells import Cells, broadcast, first_errors
from sp_xl.calc.series import raise_first_error, same_length
from sp_xl.errors import NA, NUM, VALUE, err, fail
from sp_xl.excel import coerce
from sp_xl.excel.registry import REGISTRY, FunctionSpec, udf


def _per_item(calc: Any, *values: Any, names: tuple[str, ...], **options: Any) -> Any:
    """Run a per-item calculation over cells or ranges and shape the result like the input."""
    args = [coerce.arg(v, n) for v, n in zip(values, names)]
    res = calc(*(coerce.numbers(a) for a in args), **options)
    return coerce.result(res, coerce.result_ndim(*args))


def _series(value: Any, name: str) -> tuple[coerce.Arg, Cells]:
    a = coerce.arg(value, name)
    return a, coerce.series(a)


def _like(a: coerce.Arg, res: Cells) -> Any:
    """A per-period result in the same shape as the series it came from."""
    return coerce.result(Cells(res.values.reshape(a.grid.shape), res.errors.reshape(a.grid.shape)), a.ndim)


# --- Goal attainment -------------------------------------------------------------------


@udf
def SP_ATTAINMENT(actual, target, lower_is_better=False):
    """Målopfyldelse: den faktiske værdi i forhold til målet (faktisk/mål).

    Med lower_is_better SAND beregnes mål/faktisk, til tal hvor lavere er bedre (fx
    ventetid). Et område giver et område af samme form, og ét mål kan gælde for et helt
    område. Tom faktisk værdi giver #N/A; tomt mål eller mål 0 giver #DIV/0!; tekst giver
    #VALUE!. Eksempel: 11 % mod målet 25 % giver 44 %.

    Argumenter:
        actual: Den faktiske værdi: en celle eller et område.
        target: Målet: en celle eller et område af samme størrelse.
        lower_is_better: SAND når et lavere tal er bedre. Standard: FALSK.

    English:
    Goal attainment: the actual value relative to the target (actual/target).

    With lower_is_better TRUE the result is target/actual, for measures where lower is
    better (e.g. waiting time). A range gives a range of the same shape, and one target
    may serve a whole range. An empty actual gives #N/A; an empty or zero target gives
    #DIV/0!; text gives #VALUE!. Example: 11 % against a 25 % target gives 44 %.

    Arguments:
        actual: The actual value: a cell or a range.
        target: The target: a cell or a range of the same size.
        lower_is_better: TRUE when a lower number is better. Default: FALSE.
    """
    better = coerce.flag(coerce.arg(lower_is_better, "lower_is_better"))
    return _per_item(goals.attainment, actual, target, names=("actual", "target"), lower_is_better=better)


@udf
def SP_GAP(actual, target):
    """Afstand til målet: faktisk minus mål (procentpoint, når begge er andele).

    Negativ betyder under målet. Et område giver et område af samme form. Tom faktisk
    værdi giver #N/A, tomt mål #DIV/0!, tekst #VALUE!. Eksempel: 11 % mod 25 % giver -14
    procentpoint (-0,14).

    Argumenter:
        actual: Den faktiske værdi: en celle eller et område.
        target: Målet: en celle eller et område af samme størrelse.

    English:
    Gap to target: actual minus target (percentage points when both are shares).

    Negative means below target. A range gives a range of the same shape. An empty actual
    gives #N/A, an empty target #DIV/0!, text #VALUE!. Example: 11 % against 25 % gives
    -14 percentage points (-0.14).

    Arguments:
        actual: The actual value: a cell or a range.
        target: The target: a cell or a range of the same size.
    """
    return _per_item(goals.gap, actual, target, names=("actual", "target"))


@udf
def SP_STATUS(actual, target, yellow_from=0.8, lower_is_better=False):
    """Status som trafiklys: "Grøn" når målopfyldelsen er mindst 100 %, "Gul" fra yellow_from, ellers "Rød".

    Målopfyldelsen beregnes som i SP_ATTAINMENT. Et område giver et område af samme form.
    Eksempel: 11 % mod målet 25 % er 44 % målopfyldelse og dermed "Rød".

    Argumenter:
        actual: Den faktiske værdi: en celle eller et område.
        target: Målet: en celle eller et område af samme størrelse.
        yellow_from: Målopfyldelse, hvorfra status er gul. Standard: 0,8 (80 %).
        lower_is_better: SAND når et lavere tal er bedre. Standard: FALSK.

    English:
    Traffic-light status: "Grøn" (green) at 100 % attainment or more, "Gul" (yellow) from yellow_from, else "Rød" (red).

    Attainment is computed as in SP_ATTAINMENT. The words stay Danish in both languages,
    because they are the report's status vocabulary and conditional formatting keys on
    them. A range gives a range of the same shape.

    Arguments:
        actual: The actual value: a cell or a range.
        target: The target: a cell or a range of the same size.
        yellow_from: Attainment from which the status is yellow. Default: 0.8 (80 %).
        lower_is_better: TRUE when a lower number is better. Default: FALSE.
    """
    yellow = coerce.number(coerce.arg(yellow_from, "yellow_from"), default=0.8)
    better = coerce.flag(coerce.arg(lower_is_better, "lower_is_better"))
    return _per_item(goals.status, actual, target, names=("actual", "target"),
                     yellow_from=yellow, lower_is_better=better)


@udf
def SP_SHARE(part, whole):
    """Andel: del divideret med helhed.

    Et område giver et område af samme form. Tom del giver #N/A; tom helhed eller 0 giver
    #DIV/0!. Eksempel: 370 af 2.281 nye brugere er 16 %.

    Argumenter:
        part: Delen: en celle eller et område.
        whole: Helheden: en celle eller et område af samme størrelse.

    English:
    Share: part divided by whole.

    A range gives a range of the same shape. An empty part gives #N/A; an empty or zero
    whole gives #DIV/0!. Example: 370 of 2,281 new users is 16 %.

    Arguments:
        part: The part: a cell or a range.
        whole: The whole: a cell or a range of the same size.
    """
    return _per_item(goals.share, part, whole, names=("part", "whole"))


@udf
def SP_REQUIRED(base, per):
    """Antal der kræves ved én pr. "per", rundet op (fx nøglepersoner ved 1 pr. 15 brugere).

    Eksempel: 33.000 brugere ved 1 pr. 15 kræver 2.200 nøglepersoner. Tom værdi giver
    #N/A; per tom eller 0 giver #DIV/0!; negative tal giver #NUM!.

    Argumenter:
        base: Grundtallet, fx antal brugere: en celle eller et område.
        per: Hvor mange der går på én, fx 15.

    English:
    How many are needed at one per "per", rounded up (e.g. key persons at 1 per 15 users).

    Example: 33,000 users at 1 per 15 need 2,200 key persons. An empty value gives #N/A; an
    empty or zero per gives #DIV/0!; negative numbers give #NUM!.

    Arguments:
        base: The base count, e.g. number of users: a cell or a range.
        per: How many one covers, e.g. 15.
    """
    return _per_item(goals.required, base, per, names=("base", "per"))


# --- Growth ----------------------------------------------------------------------------


@udf
def SP_GROWTH(series):
    """Vækst: sidste minus første tal i serien (tomme celler springes over).

    Eksempel: Tabel 4 i alt, 126.446 i januar og 174.975 i april, giver 48.529. Under to
    tal giver #N/A; tekst giver #VALUE!; en fejl i serien giver den samme fejl.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.

    English:
    Growth: last minus first number in the series (empty cells are skipped).

    Example: Table 4 totals, 126,446 in January and 174,975 in April, give 48,529. Fewer
    than two numbers give #N/A; text gives #VALUE!; an error in the series gives that error.

    Arguments:
        series: One row or column of numbers in time order.
    """
    return growth.growth(_series(series, "series")[1])


@udf
def SP_GROWTH_PCT(series):
    """Vækst i procent: sidste/første - 1 (første og sidste tal; tomme celler springes over).

    Eksempel: 126.446 til 174.975 er 38,4 %. Første tal 0 giver #DIV/0!; under to tal #N/A.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.

    English:
    Growth in per cent: last/first - 1 (first and last number; empty cells are skipped).

    Example: 126,446 to 174,975 is 38.4 %. A first number of 0 gives #DIV/0!; fewer than
    two numbers #N/A.

    Arguments:
        series: One row or column of numbers in time order.
    """
    return growth.growth_pct(_series(series, "series")[1])


@udf
def SP_AVG_GROWTH_PCT(series):
    """Gennemsnitlig vækst pr. periode (rentes-rente): (sidste/første)^(1/perioder) - 1.

    Perioder tælles fra første til sidste tal, også over tomme celler; samme resultat som
    Excels RRI. Eksempel: 126.446 til 174.975 over 3 måneder er 11,4 % om måneden. Første
    tal 0 giver #DIV/0!; forskelligt fortegn giver #NUM!.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.

    English:
    Average compound growth per period: (last/first)^(1/periods) - 1.

    Periods are counted from the first to the last number, across empty cells; the same
    as Excel's RRI. Example: 126,446 to 174,975 over 3 months is 11.4 % a month. A first
    number of 0 gives #DIV/0!; a change of sign gives #NUM!.

    Arguments:
        series: One row or column of numbers in time order.
    """
    return growth.avg_growth_pct(_series(series, "series")[1])


@udf
def SP_CHANGES(series, as_pct=False):
    """Ændring fra forrige periode, i samme form som serien; første periode er tom.

    En periode, hvor den selv eller den forrige er tom, bliver tom. Med as_pct SAND vises
    ændringen i procent (forrige periode 0 giver #DIV/0!).

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.
        as_pct: SAND for ændring i procent. Standard: FALSK (absolut ændring).

    English:
    Change from the previous period, in the shape of the series; the first period is empty.

    A period that is empty itself or follows an empty one stays empty. With as_pct TRUE the
    change is in per cent (a previous period of 0 gives #DIV/0!).

    Arguments:
        series: One row or column of numbers in time order.
        as_pct: TRUE for the change in per cent. Default: FALSE (absolute change).
    """
    pct = coerce.flag(coerce.arg(as_pct, "as_pct"))
    a, s = _series(series, "series")
    return _like(a, growth.changes(s, pct))


# --- Trends and backlog ----------------------------------------------------------------


@udf
def SP_CUMULATIVE(series):
    """Løbende sum (akkumuleret), i samme form som serien.

    En tom celle forbliver tom, og summen fortsætter over den. En fejl giver fejl fra den
    periode og frem. Bruges fx til akkumulerede LPR-fejl (Figur 1).

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.

    English:
    Running total (accumulated), in the shape of the series.

    An empty cell stays empty and the total carries over it. An error gives errors from
    that period on. Used e.g. for accumulated LPR errors (Figure 1).

    Arguments:
        series: One row or column of numbers in time order.
    """
    a, s = _series(series, "series")
    return _like(a, flow.cumulative(s))


def _created_closed(created: Any, closed: Any) -> tuple[coerce.Arg, Cells, Cells]:
    a, c = _series(created, "created")
    _, d = _series(closed, "closed")
    same_length(c, d, "created", "closed")
    return a, c, d


@udf
def SP_BACKLOG(created, closed, opening=0):
    """Aktive sager (backlog) efter hver periode: primo + løbende sum af (oprettede - lukkede).

    Samme form som serierne. En periode uden tal i begge serier bliver tom; er kun den ene
    udfyldt, giver det #N/A fra den periode og frem.

    Argumenter:
        created: Oprettede sager pr. periode (række eller kolonne).
        closed: Lukkede sager pr. periode, samme længde.
        opening: Aktive sager før første periode. Standard: 0.

    English:
    Open cases (backlog) after each period: opening + running sum of (created - closed).

    Same shape as the series. A period with no numbers in either series stays empty; if
    only one is filled in, #N/A follows from that period on.

    Arguments:
        created: Created cases per period (row or column).
        closed: Closed cases per period, same length.
        opening: Open cases before the first period. Default: 0.
    """
    start = coerce.number(coerce.arg(opening, "opening"), default=0)
    a, c, d = _created_closed(created, closed)
    return _like(a, flow.backlog(c, d, start))


@udf
def SP_NETFLOW(created, closed):
    """Nettoafgang pr. periode: lukkede minus oprettede (positiv = backloggen falder).

    Samme form som serierne. En periode uden tal i begge bliver tom; er kun den ene
    udfyldt, giver det #N/A.

    Argumenter:
        created: Oprettede sager pr. periode (række eller kolonne).
        closed: Lukkede sager pr. periode, samme længde.

    English:
    Net flow per period: closed minus created (positive = the backlog falls).

    Same shape as the series. A period with no numbers in either stays empty; if only one
    is filled in, the result is #N/A.

    Arguments:
        created: Created cases per period (row or column).
        closed: Closed cases per period, same length.
    """
    a, c, d = _created_closed(created, closed)
    return _like(a, flow.netflow(c, d))


@udf
def SP_TREND(series):
    """Tendens: hældningen pr. periode efter mindste kvadraters metode (x = 1, 2, …, n).

    Tomme celler springes over, men tæller med i x. Samme resultat som Excels
    HÆLDNING/SLOPE med x = 1..n. Under to tal giver #N/A.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.

    English:
    Trend: the least-squares slope per period (x = 1, 2, …, n).

    Empty cells are skipped but keep their x. The same as Excel's SLOPE with x = 1..n.
    Fewer than two numbers give #N/A.

    Arguments:
        series: One row or column of numbers in time order.
    """
    return flow.trend(_series(series, "series")[1])


@udf
def SP_FORECAST(series, periods_ahead):
    """Lineær fremskrivning et antal perioder efter det sidste tal i serien.

    Samme resultat som Excels PROGNOSE.LINEÆR/FORECAST.LINEAR med x = 1..n. Et område af
    periods_ahead giver en fremskrivning for hvert. Under to tal giver #N/A.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.
        periods_ahead: Antal perioder frem (fx 1 for næste periode): en celle eller et område.

    English:
    Linear forecast a number of periods after the last number in the series.

    The same as Excel's FORECAST.LINEAR with x = 1..n. A range of periods_ahead gives one
    forecast for each. Fewer than two numbers give #N/A.

    Arguments:
        series: One row or column of numbers in time order.
        periods_ahead: Periods ahead (e.g. 1 for the next period): a cell or a range.
    """
    _, s = _series(series, "series")
    ahead_arg = coerce.arg(periods_ahead, "periods_ahead")
    ahead = coerce.numbers(ahead_arg)
    ahead = ahead.fail(np.isnan(ahead.values), err(NA, "'periods_ahead' mangler (tom celle).",
                                                   "'periods_ahead' is missing (empty cell)."))
    values = flow.forecast(s, np.nan_to_num(ahead.values))
    return coerce.result(ahead.replace(values), ahead_arg.ndim)


@udf
def SP_WEEKS_TO_CLEAR(created, closed, opening=0, window=4):
    """Antal perioder (uger) til backloggen er væk: aktuel backlog / gennemsnitlig nettoafgang.

    Nettoafgangen (lukkede - oprettede) tages som gennemsnit over de sidste window
    perioder. Falder backloggen ikke, giver det #N/A med forklaring; er der ingen backlog,
    giver det 0.

    Argumenter:
        created: Oprettede sager pr. periode (række eller kolonne).
        closed: Lukkede sager pr. periode, samme længde.
        opening: Aktive sager før første periode. Standard: 0.
        window: Antal seneste perioder i gennemsnittet. Standard: 4.

    English:
    Periods (weeks) until the backlog is cleared: current backlog / average net closing.

    The net closing (closed - created) is averaged over the last window periods. If the
    backlog is not falling the result is #N/A with the reason; with no backlog it is 0.

    Arguments:
        created: Created cases per period (row or column).
        closed: Closed cases per period, same length.
        opening: Open cases before the first period. Default: 0.
        window: Number of latest periods in the average. Default: 4.
    """
    start = coerce.number(coerce.arg(opening, "opening"), default=0)
    n = coerce.integer(coerce.arg(window, "window"), default=4, minimum=1)
    _, c, d = _created_closed(created, closed)
    return flow.weeks_to_clear(c, d, start, n)


@udf
def SP_PEAK(series, labels=None):
    """Hvor serien er højest: etiketten dér (fx datoen), eller placeringen 1, 2, … uden etiketter.

    Ved flere lige høje tal vælges det første. Bruges til at finde, hvor en akkumuleret
    kurve "knækker" (Figur 1). Ingen tal giver #N/A.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.
        labels: Etiketter (fx datoer eller uger) af samme længde. Valgfri.

    English:
    Where the series is highest: the label there (e.g. the date), or the position 1, 2, … without labels.

    On ties the first is chosen. Used to find where an accumulated curve "breaks"
    (Figure 1). No numbers give #N/A.

    Arguments:
        series: One row or column of numbers in time order.
        labels: Labels (e.g. dates or weeks) of the same length. Optional.
    """
    _, s = _series(series, "series")
    at = flow.peak(s)
    lab = coerce.arg(labels, "labels")
    if lab.size == 1 and lab.grid[0, 0] is None:
        return at + 1
    if lab.size != s.shape[0]:
        raise fail(VALUE, f"'labels' skal have samme antal celler som 'series' ({lab.size} og {s.shape[0]}).",
                   f"'labels' must have as many cells as 'series' ({lab.size} and {s.shape[0]}).")
    label = lab.grid.ravel()[at]
    return at + 1 if label is None or label == "" else label


# --- Ranking ---------------------------------------------------------------------------


@udf
def SP_TOPN(labels, values, n, ascending=False):
    """De n største (eller mindste) værdier med deres etiketter: n rækker med (etiket, værdi).

    Største først, medmindre ascending er SAND; lige store beholder rækkefølgen fra
    input. Tomme værdier springes over. Eksempel: Tabel 3, top 5 afdelinger efter
    anvendelsesgrad.

    Argumenter:
        labels: Etiketterne, fx afdelinger (kolonne eller række).
        values: Værdierne, samme længde som labels.
        n: Hvor mange der vises.
        ascending: SAND for de mindste først. Standard: FALSK.

    English:
    The n largest (or smallest) values with their labels: n rows of (label, value).

    Largest first unless ascending is TRUE; ties keep their input order. Empty values are
    skipped. Example: Table 3, the top 5 departments by usage rate.

    Arguments:
        labels: The labels, e.g. departments (column or row).
        values: The values, same length as labels.
        n: How many to show.
        ascending: TRUE for the smallest first. Default: FALSE.
    """
    count = coerce.integer(coerce.arg(n, "n"), minimum=1)
    asc = coerce.flag(coerce.arg(ascending, "ascending"))
    lab = coerce.arg(labels, "labels")
    _, vals = _series(values, "values")
    if lab.size != vals.shape[0]:
        raise fail(VALUE, f"'labels' og 'values' skal have samme antal celler ({lab.size} og {vals.shape[0]}).",
                   f"'labels' and 'values' must have the same number of cells ({lab.size} and {vals.shape[0]}).")
    names = lab.grid.ravel()
    return [[_shown_label(names[i]), float(vals.values[i])] for i in ranking.top_n(vals, count, asc)]


def _shown_label(label: Any) -> Any:
    """A label goes back as it came, but a number Excel cannot hold (inf, NaN) is #NUM!."""
    if isinstance(label, float) and not np.isfinite(label):
        return err(NUM, "Etiketten er ikke et tal, Excel kan vise.", "The label is not a number Excel can show.")
    return label


# --- Working days ----------------------------------------------------------------------


@udf
def SP_WORKDAYS(start, end):
    """Antal hverdage fra start til slut, begge dage medregnet (som ANTAL.ARBEJDSDAGE/NETWORKDAYS).

    Hverdage er mandag-fredag undtagen danske helligdage (påsken medregnet). Slut før start
    giver et negativt tal. Et område giver et område af samme form. Tom dato giver #N/A.

    Argumenter:
        start: Startdato: en celle eller et område.
        end: Slutdato: en celle eller et område af samme størrelse.

    English:
    Working days from start to end, both counted (like NETWORKDAYS).

    Working days are Monday-Friday except Danish public holidays (Easter included). An end
    before the start gives a negative number. A range gives a range of the same shape. An
    empty date gives #N/A.

    Arguments:
        start: Start date: a cell or a range.
        end: End date: a cell or a range of the same size.
    """
    a, b = coerce.arg(start, "start"), coerce.arg(end, "end")
    (d1, c1), (d2, c2) = coerce.dates(a), coerce.dates(b)
    c1, c2 = broadcast(c1, c2)
    d1, d2 = np.broadcast_to(d1, c1.shape), np.broadcast_to(d2, c1.shape)
    res = Cells(np.full(c1.shape, np.nan), first_errors(c1, c2))
    res = res.fail(np.isnat(d1) | np.isnat(d2), err(NA, "En dato mangler (tom celle).", "A date is missing (empty cell)."))
    good = res.ok
    values = np.full(c1.shape, np.nan)
    if good.any():
        values[good] = workdays.workdays(d1[good], d2[good])
    return coerce.result(res.replace(values), coerce.result_ndim(a, b))


@udf
def SP_WITHIN_WORKDAYS(sent, answered, n):
    """Andel af henvendelser besvaret senest n hverdage efter den dag, de blev sendt (Tabel 5).

    sent og answered er to lige lange kolonner med datoer; ubesvarede (tom svardato) tæller
    som ikke besvaret i tide. Rækker uden begge datoer springes over. Hverdage som i
    SP_WORKDAYS. Svar før afsendelse giver #VALUE!.

    Argumenter:
        sent: Datoer for afsendelse (kolonne eller række).
        answered: Datoer for svar, samme længde; tom = ikke besvaret.
        n: Antal hverdage, fx 3.

    English:
    Share of messages answered no later than n working days after the day they were sent (Table 5).

    sent and answered are two columns of dates of equal length; unanswered (empty answer
    date) count as not answered in time. Rows without both dates are skipped. Working days
    as in SP_WORKDAYS. An answer before sending gives #VALUE!.

    Arguments:
        sent: Dates sent (column or row).
        answered: Dates answered, same length; empty = not answered.
        n: Number of working days, e.g. 3.
    """
    days = coerce.integer(coerce.arg(n, "n"), minimum=0)
    a, b = coerce.arg(sent, "sent"), coerce.arg(answered, "answered")
    (s, cs), (r, cr) = coerce.dates(a), coerce.dates(b)
    if cs.shape != cr.shape:
        raise fail(VALUE, f"'sent' og 'answered' skal have samme antal celler ({a.size} og {b.size}).",
                   f"'sent' and 'answered' must have the same number of cells ({a.size} and {b.size}).")
    s, r = s.ravel(), r.ravel()
    raise_first_error(Cells(cs.values.ravel(), cs.errors.ravel()), Cells(cr.values.ravel(), cr.errors.ravel()))
    orphan = np.isnat(s) & ~np.isnat(r)
    if orphan.any():
        i = int(np.flatnonzero(orphan)[0])
        raise fail(VALUE, f"Række {i + 1} har en svardato, men ingen afsendelsesdato.",
                   f"Row {i + 1} has an answer date but no date sent.")
    rows = ~np.isnat(s)
    if not rows.any():
        raise fail(NA, "Der er ingen henvendelser (ingen afsendelsesdatoer).", "There are no messages (no dates sent).")
    s, r = s[rows], r[rows]
    known = ~np.isnat(r)
    early = known & (r < s)
    if early.any():
        i = int(np.flatnonzero(rows)[np.flatnonzero(early)[0]])
        raise fail(VALUE, f"Række {i + 1} er besvaret før den blev sendt.", f"Row {i + 1} was answered before it was sent.")
    return workdays.share_within(s, np.where(known, r, s), known, days)


# --- Report text -----------------------------------------------------------------------


@udf
def SP_ROUND_CA(x, significant=1):
    """Afrunding som rapportens "ca.": til et antal betydende cifre (standard ét).

    Eksempler: 48.529 bliver 50.000; 38,4 % bliver 40 %; med 2 cifre bliver 1.807 til
    1.800. Halve rundes væk fra 0. Et område giver et område af samme form.

    Argumenter:
        x: Tallet: en celle eller et område.
        significant: Antal betydende cifre. Standard: 1.

    English:
    Rounding as in the report's "ca." (about): to a number of significant digits (default one).

    Examples: 48,529 becomes 50,000; 38.4 % becomes 40 %; with 2 digits 1,807 becomes
    1,800. Halves round away from 0. A range gives a range of the same shape.

    Arguments:
        x: The number: a cell or a range.
        significant: Significant digits. Default: 1.
    """
    digits = coerce.integer(coerce.arg(significant, "significant"), default=1, minimum=1, maximum=15)
    xa = coerce.arg(x, "x")
    c = coerce.numbers(xa)
    c = c.fail(np.isnan(c.values), err(NA, "'x' mangler (tom celle).", "'x' is missing (empty cell)."))
    return coerce.result(c.replace(text.round_ca_array(c.values, digits)), xa.ndim)


@udf
def SP_TEXT_GROWTH(series, what=None):
    """Sætning om væksten i rapportens stil, fx "en samlet stigning i oprettede brugere på ca. 50.000, hvilket svarer til en vækst på ca. 40 pct."

    Bruger første og sidste tal i serien, afrundet som SP_ROUND_CA. Et fald giver "et
    samlet fald … på ca. …". Danske tal (50.000; 38,4). Første tal 0 giver #DIV/0!.

    Argumenter:
        series: Én række eller kolonne med tal i tidsorden.
        what: Hvad der er talt, fx "oprettede brugere". Valgfri.

    English:
    A sentence on growth in the report's style, e.g. "an overall increase in registered users of about 50,000, corresponding to growth of about 40 per cent".

    Uses the first and last number of the series, rounded as SP_ROUND_CA. The sentence is
    in the user's language (Danish by default). A first number of 0 gives #DIV/0!.

    Arguments:
        series: One row or column of numbers in time order.
        what: What is counted, e.g. "registered users". Optional.
    """
    label = coerce.text(coerce.arg(what, "what"))
    first, last = growth.first_last_nonzero(_series(series, "series")[1], "en vækstsætning", "a growth sentence")
    return text.growth_sentence(first, last, label)


@udf
def SP_TEXT_ATTAINMENT(actual, target, what=None):
    """Sætning om målopfyldelsen, fx "1.807 SP-nøglepersoner af målet på 2.200 svarer til en målopfyldelse på ca. 82 pct."

    Målopfyldelsen rundes til hele procent. Andele (fx 11 % mod 25 %) skrives i procent.
    Fejl som i SP_ATTAINMENT.

    Argumenter:
        actual: Den faktiske værdi (én celle).
        target: Målet (én celle).
        what: Hvad der er talt, fx "SP-nøglepersoner". Valgfri.

    English:
    A sentence on goal attainment, e.g. "1,807 key persons of the target of 2,200 is a goal attainment of about 82 per cent."

    Attainment is rounded to whole per cent. Shares (e.g. 11 % against 25 %) are written
    in per cent. Errors as in SP_ATTAINMENT.

    Arguments:
        actual: The actual value (one cell).
        target: The target (one cell).
        what: What is counted, e.g. "key persons". Optional.
    """
    label = coerce.text(coerce.arg(what, "what"))
    a = coerce.numbers(coerce.arg(actual, "actual"))
    t = coerce.numbers(coerce.arg(target, "target"))
    if a.shape != (1, 1) or t.shape != (1, 1):
        raise fail(VALUE, "'actual' og 'target' skal være én celle hver.", "'actual' and 'target' must be one cell each.")
    att = goals.attainment(a, t)
    if not att.ok[0, 0]:
        return att.errors[0, 0]
    return text.attainment_sentence(float(a.values[0, 0]), float(t.values[0, 0]), label)


def functions() -> list[FunctionSpec]:
    """All SP_ functions in catalogue order (the order they are declared above).

    Lives here, not in the registry, so that the registry never imports this module back:
    importing ``sp_xl.udfs`` is what fills the registry.
    """
    return list(REGISTRY.values())
