"""A property test split into shards that pytest-xdist can hand to different cores.

One hypothesis run cannot be split, so each shard is its own run with its own fixed seed
under a derandomized profile (`hypothesis.seed` overrides ``derandomize``: the ci profile
still explores the same worlds on every run), random ones otherwise. The shards together run
the profile's number of examples, plus, when seeded, a margin: every run starts from the
simplest world and a few small ones, which shards may share, and the margin keeps the number
of distinct worlds at least what one unsharded run explored.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, seed, settings
from hypothesis.strategies import SearchStrategy


def per_shard(total: int, shards: int, *, seeded: bool) -> int:
    """Examples per shard. The margin when seeded (a seventh more, at least 5) covers worlds
    two shards both try. Measured under ci (`repr` of the drawn worlds compared): 4 shards of
    115 give 414 distinct selector-level worlds where one run of 400 gives 385; 8 shards of 30
    give 224 distinct surface worlds where one run of 200 gives 187."""
    base = math.ceil(total / shards)
    return base + (max(5, math.ceil(base / 7)) if seeded else 0)


def shard_classes(
    case: type,
    name: str,
    body: Callable,
    strategy: SearchStrategy,
    *,
    shards: int,
    examples: int | None = None,
) -> dict[str, type]:
    """Subclasses ``<case>_shard_<i>_of_<n>`` of the unittest class ``case``, each with one test
    method ``name`` running ``body(self, example)`` under its own seed; ``examples``
    (default: the loaded profile's max_examples) is the total over all shards. A class each, so
    that ``--dist loadscope`` sends shards to different workers, each marked heavy so that
    they start first (tests/conftest.py). The module puts them in its namespace:
    ``globals().update(shard_classes(...))``."""
    total = settings.default.max_examples if examples is None else examples
    seeded = settings.default.derandomize
    classes = {}
    for index in range(shards):
        test = given(strategy)(_copy(body))
        test = settings(max_examples=per_shard(total, shards, seeded=seeded))(test)
        if seeded:
            test = seed(index)(test)
        test.__name__ = name
        class_name = f"{case.__name__}_shard_{index}_of_{shards}"
        test.__qualname__ = f"{class_name}.{name}"
        classes[class_name] = type(
            class_name,
            (case,),
            {name: test, "__module__": case.__module__, "pytestmark": [pytest.mark.heavy]},
        )
    return classes


def _copy(body: Callable) -> Callable:
    """A distinct function per shard, so that each carries its own seed and settings."""

    def shard(self, example):
        return body(self, example)

    shard.__doc__ = body.__doc__
    shard.__module__ = body.__module__
    return shard
