import pytest

from bench.load import Turn, answer_problem, summarise

pytestmark = pytest.mark.unit


def test_only_turns_finished_inside_the_window_count():
    turns = [
        Turn(finished=0.5, latency_ms=900, error=None),  # warm-up
        Turn(finished=1.0, latency_ms=10, error=None),
        Turn(finished=2.0, latency_ms=20, error=None),
        Turn(finished=2.5, latency_ms=5, error="HTTP 500"),
        Turn(finished=2.9, latency_ms=30, error=None),
        Turn(finished=3.0, latency_ms=900, error=None),  # after the window
    ]
    summary = summarise(turns, warmup=1.0, duration=2.0, concurrency=3)
    assert summary["turns"] == 3
    assert summary["errors"] == 1 and summary["error_kinds"] == ["HTTP 500"]
    assert summary["turns_per_second"] == pytest.approx(1.5)
    assert summary["p50"] == pytest.approx(20)
    assert summary["concurrency"] == 3


@pytest.mark.parametrize(
    "status, body, problem",
    [
        (200, [{"recipient_id": "x", "text": "Bonjour"}], None),
        (200, [{"recipient_id": "x", "buttons": [{"title": "Oui"}]}], None),
        (200, [], "empty answer"),
        (200, [{"recipient_id": "x", "text": ""}], "empty answer"),
        (200, {"error": "?"}, "empty answer"),
        (500, None, "HTTP 500"),
    ],
)
def test_an_answer_must_hold_something_to_read(status, body, problem):
    assert answer_problem(status, body) == problem
