import pytest

from bench.profile import MACHINE, OTHER, hottest, read_raw, subsystem_of, subsystem_shares, what_bounds_it

pytestmark = pytest.mark.unit

MAIN = "<module> (rasa/__main__.py:1)"
RAW = f"""\
{MAIN};handle (sanic/app.py:10);predict (rasa/core/processor.py:5);call (keras/engine/base.py:7) 60
{MAIN};handle (sanic/app.py:10);save (rasa/core/tracker_store.py:9);execute (sqlalchemy/engine/base.py:3) 25
{MAIN};handle (sanic/app.py:10);parse (rasa/core/processor.py:2) 10
{MAIN};select (selectors.py:4) 5
not a stack line
"""


def test_raw_stacks_are_read_outermost_first_with_their_counts():
    stacks = read_raw(RAW)
    assert len(stacks) == 4
    assert stacks[0][0][-1] == "call (keras/engine/base.py:7)" and stacks[0][1] == 60


def test_hottest_functions_by_own_time():
    top = hottest(read_raw(RAW), 2)
    assert [row["function"] for row in top] == [
        "call (keras/engine/base.py:7)",
        "execute (sqlalchemy/engine/base.py:3)",
    ]
    assert top[0]["share"] == 0.6


def test_samples_go_to_the_subsystem_of_their_innermost_known_frame():
    shares = subsystem_shares(read_raw(RAW))
    assert shares["TensorFlow (DIET, ResponseSelector, TED)"] == 0.6
    assert shares["SQL tracker store (SQLAlchemy, psycopg2)"] == 0.25
    assert shares["Rasa's own Python"] == 0.15  # the parse, and the select under rasa's main
    assert subsystem_of(("select (selectors.py:4)",)) == OTHER


def test_the_sentence_names_what_bounds_the_server_from_the_measures():
    shares = {"TensorFlow": 0.6, "SQL": 0.25}
    single_core = what_bounds_it({"rasa1": 98.0, "actions": 10.0, "load generator": 20.0}, 2, shares)
    assert "CPU-bound on a single core" in single_core and "60% TensorFlow" in single_core
    saturated = what_bounds_it({"rasa1": 80.0, "rasa2": 80.0, "actions": 20.0, "load generator": 10.0}, 2, shares)
    assert "2 cores were saturated (190% of 200%" in saturated
    crowded = what_bounds_it({"rasa1": 50.0, "actions": 5.0, "load generator": 5.0, MACHINE: 195.0}, 2, shares)
    assert "saturated (195% of 200%, of which the servers and the load generator 60%)" in crowded
    waiting = what_bounds_it({"rasa1": 30.0, "actions": 5.0, "load generator": 5.0}, 2, shares)
    assert "waiting" in waiting
