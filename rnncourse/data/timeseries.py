"""Time series from the local tables of `vega_datasets`: `weather()`, `hourly_temperatures()`
and `stocks()`.

Only the files shipped inside the package are read (never vega_datasets' network datasets).
Splits are by time: the first 70% of the rows train, the next 15% validation, the last 15% test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rnncourse.data import packaged, registry, settings
from rnncourse.data.containers import TimeSeries
from rnncourse.data.fetch import announce
from rnncourse.data.registry import DatasetEntry
from rnncourse.data.splits import SERIES_FRACTIONS, SPLITS, check_size, resolve_size

WEATHER_COLUMNS = ("precipitation", "temp_max", "temp_min", "wind", "weather")
STOCK_SYMBOLS = ("AAPL", "AMZN", "GOOG", "IBM", "MSFT")


def _series(entry: DatasetEntry, frame: Any, limit: int | None, frequency: str) -> TimeSeries:
    """Split the first `limit` rows of `frame` by time, print the source line, return it."""
    frame = frame.iloc[:limit] if limit is not None else frame
    n = len(frame)
    cut1 = int(n * SERIES_FRACTIONS[0])
    cut2 = int(n * (SERIES_FRACTIONS[0] + SERIES_FRACTIONS[1]))
    parts = dict(
        zip(SPLITS, (frame.iloc[:cut1], frame.iloc[cut1:cut2], frame.iloc[cut2:]), strict=True)
    )
    first, last = frame.index[0].date(), frame.index[-1].date()
    sizes = " / ".join(f"{split} {len(part):,}" for split, part in parts.items())
    source = (
        f"{entry.title} (the {entry.package} package, no download): {sizes} rows, {first} to {last}"
    )
    announce(source)
    return TimeSeries(
        name=entry.title,
        dataset=entry.name,
        source=source,
        train=parts["train"].copy(),
        val=parts["val"].copy(),
        test=parts["test"].copy(),
        columns=tuple(frame.columns),
        frequency=frequency,
    )


def weather(offline: bool | None = None, max_rows: int | None = None) -> TimeSeries:
    """Return daily Seattle weather 2012-2015 as a TimeSeries of pandas DataFrames.

    Index "date" (daily); columns precipitation (mm, float), temp_max and temp_min (degrees C,
    float), wind (m/s, float) and weather (str: drizzle, rain, sun, snow or fog). All 1,461 days
    in full mode; `max_rows` keeps the first rows (None: the run mode's size from the registry,
    730 days in fast mode) before splitting 70/15/15 by time. Ships with `vega_datasets`, so
    `offline` changes nothing. Prints one line naming the source.
    """
    import pandas as pd

    settings.check_offline(offline)
    check_size(max_rows, "max_rows")
    entry = registry.get("weather")
    frame = pd.read_csv(packaged.vega_table(entry.file))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y/%m/%d")
    frame = frame.set_index("date").sort_index()[list(WEATHER_COLUMNS)]
    return _series(entry, frame, resolve_size(max_rows, "max_rows", entry.sizes), "D")


def hourly_temperatures(offline: bool | None = None, max_rows: int | None = None) -> TimeSeries:
    """Return Seattle's hourly air temperature in 2010 as a TimeSeries of pandas DataFrames.

    Index "date" (hourly, local time, 8,760 hours from 2010-01-01 00:00); one float column
    "temp" in degrees C (the table holds degrees F). The one hour the table lacks, skipped by
    the switch to daylight saving time, is filled by linear interpolation, so the index has no
    gap. `max_rows` keeps the first rows (None: the run mode's size, 2,190 hours or three
    months in fast mode) before splitting 70/15/15 by time. Ships with `vega_datasets`, so
    `offline` changes nothing. Prints one line naming the source.
    """
    import pandas as pd

    settings.check_offline(offline)
    check_size(max_rows, "max_rows")
    entry = registry.get("hourly_temperatures")
    frame = pd.read_csv(packaged.vega_table(entry.file), parse_dates=["date"])
    frame = frame.set_index("date").sort_index()
    celsius = ((frame["temp"] - 32.0) * 5.0 / 9.0).to_frame("temp")
    celsius = celsius.asfreq("h").interpolate("linear")
    return _series(entry, celsius, resolve_size(max_rows, "max_rows", entry.sizes), "h")


def stocks(
    offline: bool | None = None,
    max_rows: int | None = None,
    symbols: Sequence[str] | None = None,
) -> TimeSeries:
    """Return monthly closing prices (USD) 2000-2010 as a TimeSeries of pandas DataFrames.

    Index "date" (first day of each month, 123 months from 2000-01 to 2010-03); one float column
    per symbol in `symbols` (None: AAPL, AMZN, GOOG, IBM, MSFT). GOOG is NaN before its listing
    (August 2004). `max_rows` keeps the first rows (None: the run mode's size, all 123 months in
    both modes) before splitting 70/15/15 by time. Ships with `vega_datasets`, so `offline`
    changes nothing. Prints one line naming the source.
    """
    import pandas as pd

    settings.check_offline(offline)
    check_size(max_rows, "max_rows")
    chosen = list(STOCK_SYMBOLS if symbols is None else symbols)
    unknown = [symbol for symbol in chosen if symbol not in STOCK_SYMBOLS]
    if unknown or not chosen:
        problem = f"unknown stock symbol(s) {unknown}" if unknown else "no stock symbol given"
        raise ValueError(f"{problem}; choose from: {', '.join(STOCK_SYMBOLS)}")
    entry = registry.get("stocks")
    frame = pd.read_csv(packaged.vega_table(entry.file))
    frame["date"] = pd.to_datetime(frame["date"], format="%b %d %Y")
    wide = frame.pivot(index="date", columns="symbol", values="price").sort_index()
    wide.columns.name = None
    return _series(entry, wide[chosen], resolve_size(max_rows, "max_rows", entry.sizes), "MS")
