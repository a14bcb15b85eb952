from datetime import datetime, timedelta, UTC

from portal.scheduling import intersect, subtract, union

UTC = UTC
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(a: int, b: int) -> tuple[datetime, datetime]:
    return at(a), at(b)


def test_union_sorts_merges_overlapping_and_touching_and_drops_empty():
    pieces = [span(60, 90), span(0, 30), span(30, 45), span(40, 50), span(100, 100), span(120, 110)]
    assert union(pieces) == [span(0, 50), span(60, 90)]


def test_union_of_nothing_is_nothing():
    assert union([]) == []


def test_union_keeps_a_contained_piece_inside():
    assert union([span(0, 100), span(10, 20)]) == [span(0, 100)]


def test_intersect_two_pointer():
    a = [span(0, 60), span(120, 180)]
    b = [span(30, 150), span(170, 200)]
    assert intersect(a, b) == [span(30, 60), span(120, 150), span(170, 180)]


def test_intersect_touching_pieces_share_nothing():
    assert intersect([span(0, 30)], [span(30, 60)]) == []


def test_intersect_with_empty():
    assert intersect([span(0, 30)], []) == []
    assert intersect([], [span(0, 30)]) == []


def test_subtract_splits_and_trims():
    a = [span(0, 120), span(200, 260)]
    b = [span(10, 20), span(30, 40), span(100, 210), span(250, 300)]
    assert subtract(a, b) == [span(0, 10), span(20, 30), span(40, 100), span(210, 250)]


def test_subtract_cut_spanning_several_pieces():
    a = [span(0, 10), span(20, 30), span(40, 50)]
    assert subtract(a, [span(5, 45)]) == [span(0, 5), span(45, 50)]


def test_subtract_touching_cut_leaves_piece_whole():
    assert subtract([span(30, 60)], [span(0, 30), span(60, 90)]) == [span(30, 60)]


def test_subtract_everything():
    assert subtract([span(10, 20)], [span(0, 30)]) == []


def test_functions_work_on_integers_too():
    assert union([(5, 7), (1, 3), (3, 4)]) == [(1, 4), (5, 7)]
    assert intersect([(1, 10)], [(3, 5), (8, 12)]) == [(3, 5), (8, 10)]
    assert subtract([(1, 10)], [(3, 5), (8, 12)]) == [(1, 3), (5, 8)]
