"""`baby_names()`: lowercase first names for a makemore-style generator (no network needed)."""

from __future__ import annotations

from rnncourse.data import packaged, registry, settings
from rnncourse.data.containers import NameLists
from rnncourse.data.fetch import announce
from rnncourse.data.splits import SPLITS, check_size, resolve_size, split_items


def baby_names(offline: bool | None = None, max_names: int | None = None) -> NameLists:
    """Return the 1990 US-census first names as NameLists (train/val/test: list of str).

    5,163 distinct lowercase names (a-z only), split 80/10/10 by a seeded hash of each name, so
    no name is in two splits; each list is in a fixed seeded order. `max_names` caps each split
    (None: the run mode's size from the registry, 1,000 in fast mode, all in full mode). The
    names ship with the `names` package, so `offline` changes nothing (accepted for a uniform
    API). Prints one line naming the source.
    """
    settings.check_offline(offline)
    check_size(max_names, "max_names")
    entry = registry.get("baby_names")
    limit = resolve_size(max_names, "max_names", entry.sizes)
    parts = {
        split: keys[:limit] for split, keys in split_items(packaged.census_first_names()).items()
    }
    sizes = " / ".join(f"{split} {len(parts[split]):,}" for split in SPLITS)
    source = f"{entry.title} (the {entry.package} package, no download): {sizes} names"
    announce(source)
    return NameLists(
        name=entry.title,
        dataset=entry.name,
        source=source,
        train=parts["train"],
        val=parts["val"],
        test=parts["test"],
        vocabulary=tuple(
            sorted({char for names in parts.values() for name in names for char in name})
        ),
    )
