"""Real data for every lesson with one call, online or offline: `from rnncourse import data`.

    corpus = data.shakespeare()      # TextCorpus: .train/.val/.test str, .vocabulary, .source
    prose = data.english_prose()     # TextCorpus for word-level models
    reviews = data.imdb()            # LabelledTexts: .train = (texts, labels), .class_names
    names = data.baby_names()        # NameLists: .train/.val/.test lists of lowercase names
    code = data.python_tokens()      # TaggedLines: .train = (lines, tags), one tag per character
    days = data.weather()            # TimeSeries: .train/.val/.test pandas DataFrames
    hours = data.hourly_temperatures()  # TimeSeries of hourly temperatures (degrees C)
    prices = data.stocks()           # TimeSeries of monthly closing prices

Each loader prints one line naming its source, takes `offline` (None: read RNNCOURSE_OFFLINE)
and a size argument (None: the run mode's size from data/datasets.yaml), and returns fixed
train/validation/test splits that never leak. Downloads go to the cache (RNNCOURSE_DATA_CACHE),
verified by sha256; when one is impossible the loader returns its offline default and says why.
Importing this package imports neither TensorFlow nor pandas.
"""

from rnncourse.data.archive import UnsafeArchiveError, safe_extract
from rnncourse.data.babynames import baby_names
from rnncourse.data.containers import LabelledTexts, NameLists, TextCorpus, TimeSeries
from rnncourse.data.fetch import DataUnavailable, DownloadError
from rnncourse.data.pytokens import TaggedLines, python_tokens
from rnncourse.data.registry import DatasetEntry, RegistryError, entries, get
from rnncourse.data.reviews import imdb
from rnncourse.data.settings import cache_dir
from rnncourse.data.text import english_prose, shakespeare
from rnncourse.data.timeseries import hourly_temperatures, stocks, weather

__all__ = [
    "DataUnavailable",
    "DatasetEntry",
    "DownloadError",
    "LabelledTexts",
    "NameLists",
    "RegistryError",
    "TaggedLines",
    "TextCorpus",
    "TimeSeries",
    "UnsafeArchiveError",
    "baby_names",
    "cache_dir",
    "english_prose",
    "entries",
    "get",
    "hourly_temperatures",
    "imdb",
    "python_tokens",
    "safe_extract",
    "shakespeare",
    "stocks",
    "weather",
]
