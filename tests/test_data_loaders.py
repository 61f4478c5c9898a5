"""Package-data loaders (names, labelled names, weather, hourly temperatures, stocks), arguments
and environment."""

from __future__ import annotations

import os
import string
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnncourse import data
from rnncourse.data import packaged, settings

pytestmark = pytest.mark.usefixtures("cache")  # full mode unless a test sets fast mode itself


def test_baby_names_are_split_by_name_without_overlap(capsys) -> None:
    names = data.baby_names(max_names=None)
    assert capsys.readouterr().out.splitlines() == [names.source]
    train, val, test = set(names.train), set(names.val), set(names.test)
    assert not (train & val or train & test or val & test)
    assert train | val | test == set(packaged.census_first_names())
    assert len(train | val | test) == 5163
    assert names.vocabulary == tuple(string.ascii_lowercase)
    assert len(names.val) == pytest.approx(516, abs=60)
    assert data.baby_names().train == names.train  # fixed order, call after call


def test_baby_names_size_caps_each_split_with_a_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    full = data.baby_names(max_names=None)
    small = data.baby_names(max_names=10)
    assert small.train == full.train[:10] and small.test == full.test[:10]
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    assert len(data.baby_names().train) == data.get("baby_names").sizes.fast


def test_imdb_offline_default_is_labelled_names() -> None:
    result = data.imdb(offline=True, max_examples=None)
    assert result.offline_default and result.class_names == ("female", "male")
    assert result.source.endswith("because offline=True was passed")
    labels = dict(zip(*map(list, _concat(result)), strict=True))
    assert labels["mary"] == 0 and labels["james"] == 1 and labels["aaron"] == 1
    assert "kris" not in labels  # equally frequent in both lists: left out
    splits = [set(result.split(name)[0]) for name in ("train", "val", "test")]
    assert not (splits[0] & splits[1] or splits[0] & splits[2] or splits[1] & splits[2])
    assert sum(map(len, splits)) == 5160
    assert all(
        isinstance(part[1], np.ndarray) and part[1].dtype == np.int64
        for part in (result.train, result.val, result.test)
    )


def _concat(result: data.LabelledTexts) -> tuple[list[str], np.ndarray]:
    texts = result.train[0] + result.val[0] + result.test[0]
    return texts, np.concatenate([result.train[1], result.val[1], result.test[1]])


def test_weather_is_split_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    series = data.weather(max_rows=None)
    frames = [series.train, series.val, series.test]
    assert sum(map(len, frames)) == 1461
    assert [len(f) for f in frames] == [1022, 219, 220]
    assert series.columns == ("precipitation", "temp_max", "temp_min", "wind", "weather")
    for frame in frames:
        assert frame.index.name == "date" and frame.index.is_monotonic_increasing
    assert series.train.index.max() < series.val.index.min()
    assert series.val.index.max() < series.test.index.min()
    assert str(series.train.index[0].date()) == "2012-01-01"
    assert series.train["temp_max"].dtype == np.float64
    assert set(series.train["weather"]) <= {"drizzle", "rain", "sun", "snow", "fog"}
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    assert (
        sum(len(f) for f in (data.weather().train, data.weather().val, data.weather().test)) == 730
    )


def test_hourly_temperatures_are_complete_hours_in_celsius(monkeypatch: pytest.MonkeyPatch) -> None:
    series = data.hourly_temperatures()
    frames = [series.train, series.val, series.test]
    assert [len(f) for f in frames] == [6132, 1314, 1314]
    whole = pd.concat(frames)
    assert whole.index.is_monotonic_increasing and whole.index.is_unique
    assert (whole.index.to_series().diff().dropna() == pd.Timedelta(hours=1)).all()
    assert str(whole.index[0]) == "2010-01-01 00:00:00" and str(whole.index[-1]).startswith(
        "2010-12-31 23:00"
    )
    assert series.columns == ("temp",) and series.frequency == "h"
    assert whole["temp"].iloc[0] == pytest.approx((39.4 - 32) * 5 / 9)  # 39.4 F in the table
    assert not whole["temp"].isna().any()
    gap = whole.loc["2010-03-14 02:00":"2010-03-14 04:00", "temp"].to_numpy()
    assert gap[1] == pytest.approx((gap[0] + gap[2]) / 2)  # the daylight-saving hour, filled
    assert -15 < whole["temp"].min() < whole["temp"].max() < 40
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    fast = data.hourly_temperatures()
    assert len(fast.train) + len(fast.val) + len(fast.test) == 2190
    assert fast.train.index[0] == series.train.index[0]


def test_stocks_wide_monthly_prices() -> None:
    series = data.stocks()
    assert series.columns == ("AAPL", "AMZN", "GOOG", "IBM", "MSFT")
    assert len(series.train) + len(series.val) + len(series.test) == 123
    assert series.frequency == "MS"
    assert np.isnan(series.train["GOOG"].iloc[0])  # listed in August 2004
    assert series.train["MSFT"].iloc[0] == pytest.approx(39.81)
    only = data.stocks(symbols=["IBM"], max_rows=20)
    assert only.columns == ("IBM",) and len(only.train) + len(only.val) + len(only.test) == 20


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: data.get("mnist"), ValueError, "choose one of: shakespeare, imdb"),
        (lambda: data.shakespeare(max_chars=-1), ValueError, "positive integer"),
        (lambda: data.shakespeare(max_chars=0), ValueError, "positive integer"),
        (lambda: data.english_prose(max_chars=2.5), TypeError, "positive integer or None"),
        (lambda: data.imdb(max_examples=-3), ValueError, "max_examples"),
        (lambda: data.baby_names(max_names=True), TypeError, "max_names"),
        (lambda: data.weather(max_rows=-1), ValueError, "max_rows"),
        (lambda: data.hourly_temperatures(max_rows=0), ValueError, "max_rows"),
        (lambda: data.stocks(symbols=["TSLA"]), ValueError, "choose from: AAPL, AMZN"),
        (lambda: data.stocks(symbols=[]), ValueError, "no stock symbol"),
        (lambda: data.baby_names().split("validation"), ValueError, "train, val, test"),
        (lambda: data.shakespeare(offline="yes"), TypeError, "True, False or None"),
        (lambda: data.weather(offline=1), TypeError, "True, False or None"),
        (lambda: data.baby_names(offline="no"), TypeError, "True, False or None"),
    ],
)
def test_bad_arguments_name_the_valid_choices(call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_bad_offline_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "perhaps")
    with pytest.raises(ValueError, match="RNNCOURSE_OFFLINE='perhaps'.*'1'"):
        data.shakespeare()
    for value, expected in (("1", True), ("TRUE", True), ("0", False), ("", False)):
        monkeypatch.setenv("RNNCOURSE_OFFLINE", value)
        assert settings.offline_from_env() is expected


def test_cache_dir_variable_and_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(tmp_path / "here"))
    assert data.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("RNNCOURSE_DATA_CACHE")
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform != "win32":
        assert data.cache_dir() == tmp_path / "xdg" / "rnncourse"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert data.cache_dir() == Path("/content/rnncourse_data")


def test_loaders_write_nothing_to_stderr_and_warn_nothing(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [
            data.shakespeare(),
            data.english_prose(),
            data.imdb(),
            data.baby_names(),
            data.weather(),
            data.hourly_temperatures(),
            data.stocks(),
        ]
    out, err = capfd.readouterr()
    assert err == ""
    assert out.splitlines() == [result.source for result in results]
    assert all("\n" not in repr(result) and len(repr(result)) < 300 for result in results)


def test_importing_the_package_imports_neither_tensorflow_nor_pandas() -> None:
    code = (
        "import sys, rnncourse.data as d; "
        "print(sorted(m for m in ('tensorflow', 'pandas', 'keras') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_tests_cannot_reach_the_internet() -> None:
    entry = data.get("shakespeare")  # the real mirrors: refused by the guard, never contacted
    corpus = data.shakespeare(entry=entry, max_chars=1_000)
    assert corpus.offline_default
    assert "storage.googleapis.com: tests never resolve" in corpus.source
