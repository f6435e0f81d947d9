"""facts.frame: the fact tables hold the builders' Python values, missing ones as None."""

from __future__ import annotations

import math

from vmes_audit.facts.model import frame


def test_an_int_beside_a_missing_value_stays_an_int() -> None:
    # pandas' inference made it 0.0 (float64 column, NaN for the missing one): the report
    # printed "TerminalServerMode = 0.0" for an organisation of two machines
    table = frame("host", [{"host": "VMES01", "ts_mode": 0}, {"host": "EXCH01"}])
    values = table["ts_mode"].tolist()
    assert values == [0, None] and type(values[0]) is int


def test_missing_markers_become_none_and_the_columns_are_the_declared_ones() -> None:
    table = frame("host", [{"host": "A", "os_build": math.nan, "not_a_column": 1}])
    assert table.loc[0, "os_build"] is None and "not_a_column" not in table.columns
    assert list(frame("host", []).columns) == list(table.columns)
    assert table.dtypes.map(str).eq("object").all()


def test_bounds_still_apply() -> None:
    table = frame("host", [{"host": "A", "service_pack": -1}])
    assert table.loc[0, "service_pack"] is None and "service_pack" in table.loc[0, "rejected"]
