"""What the journal says helped: credit per program, and the report's figures and sentences."""

from datetime import datetime, timedelta

from calmkit.core.insights import (
    Counts,
    Report,
    add_outcomes,
    busiest_hours,
    fold,
    helped_text,
    outcomes,
)

T0 = datetime(2026, 3, 2, 23, 30).astimezone()  # a Monday


def rec(tried, helped="yes", left=(), actual=120.0, **more):
    record = {"tried": list(tried), "programs": list(tried), "helped": helped, "actual_s": actual}
    if left:
        record["not_helping"] = list(left)
    return record | more


def test_the_program_stayed_with_gets_the_answer_and_one_left_gets_a_no():
    assert outcomes(rec(["sigh"], "yes")) == [("sigh", "yes")]
    assert outcomes(rec(["calm", "ground", "quiet"], "yes", left=["calm"])) == [
        ("calm", "no"),
        ("ground", "yes"),
    ]
    # everything left: nothing stayed to take the answer; quiet time is never credited
    assert outcomes(rec(["calm", "quiet"], "yes", left=["calm", "quiet"])) == [("calm", "no")]
    assert outcomes(rec(["calm"], "maybe")) == [("calm", "unknown")]
    # two went on without "not helping" (none does today): the answer is the last one's
    assert outcomes(rec(["calm", "ground"], "no")) == [("ground", "no")]


def test_an_old_record_credits_its_first_program():
    old = {"programs": ["calm", "winddown", "quiet"], "helped": "no"}
    assert outcomes(old) == [("calm", "no")]
    assert outcomes({"programs": "garbage", "helped": "yes"}) == []


def test_counts_add_up_by_answer_and_n():
    counts = add_outcomes({}, rec(["sigh"], "yes"), n=7)
    add_outcomes(counts, rec(["sigh"], "no"), n=2)
    assert counts["sigh"] == Counts(7, 2, 0) and counts["sigh"].tried == 9
    assert helped_text("sigh", counts["sigh"]) == "sigh helped 7 of 9 times"
    assert helped_text("box", Counts(1, 2, 1)) == "box helped 1 of 4 times (1 not answered)"


def test_report_sentences_from_the_persons_own_data():
    pairs = []
    for k in range(9):  # sigh: 7 of 9, near midnight
        at = T0 + timedelta(days=k, minutes=k)
        pairs.append((rec(["sigh"], "yes" if k < 7 else "no"), at))
    for k in range(4):  # box: 1 of 4, also around midnight
        at = T0 + timedelta(days=k, hours=1)
        pairs.append((rec(["box"], "yes" if k == 0 else "no"), at))
    pairs.sort(key=lambda pair: pair[1])
    report = fold(pairs)
    sentences = report.sentences()
    assert "sigh helped 7 of 9 times; box helped 1 of 4 times." in sentences
    assert "Most sessions (69%) were between 23:00 and 00:00." in sentences
    assert report.episodes == 13 and report.programs["box"] == Counts(1, 3, 0)


def test_report_figures_weeks_heat_lengths_paths_quiet():
    report = Report()
    report.add(rec(["calm", "ground", "quiet"], left=["calm"], actual=30), T0)
    report.add(rec(["calm", "ground"], left=["calm", "ground"], actual=400), T0 + timedelta(days=7))
    report.add({"demo": True, "tried": ["calm"]}, T0)
    report.add(rec(["calm"]), None)
    assert report.episodes == 2 and report.demos == 1 and report.undated == 1
    assert sorted(report.weeks.values()) == [1, 1]
    assert report.heat[0][23] == 2  # Mondays at 23:00
    assert report.lengths[0] == 1 and report.lengths[3] == 1  # under 1 min; 5-10 min
    assert report.paths == {"calm → ground → quiet": 1, "calm → ground → end": 1}
    assert report.quiet == 1


def test_reach_out_moments_are_replayed_once_per_crossing():
    report = Report(reach_out_sessions=3, reach_out_within_h=24)
    for hours in (0, 1, 2, 3, 4):  # five within a day: crosses once, at the third
        report.add(rec(["calm"]), T0 + timedelta(hours=hours))
    report.add(rec(["calm"], actual=5), T0 + timedelta(hours=5))  # an accidental start: not counted
    assert report.reach_outs == 1 and list(report.reach_out_moments) == [T0 + timedelta(hours=2)]
    for hours in (100, 101, 102):  # days later, again
        report.add(rec(["calm"]), T0 + timedelta(hours=hours))
    assert report.reach_outs == 2
    assert any("2 times sessions piled up" in s for s in report.sentences())


def test_an_empty_or_tiny_journal_says_so_honestly():
    assert Report().sentences() == ["There are no sessions in the journal for this period yet."]
    tiny = fold([(rec(["calm"]), T0)]).sentences()
    assert any("too few to see a pattern" in s for s in tiny)
    assert not any(s.startswith("Most sessions") for s in tiny)


def test_busiest_hours_wrap_midnight_and_need_over_half():
    hours = [0] * 24
    hours[23], hours[0], hours[12] = 3, 3, 2
    assert busiest_hours(hours) == (23, 2, 0.75)
    assert busiest_hours([1] * 24) is None
    assert busiest_hours([0] * 24) is None
