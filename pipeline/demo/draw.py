"""Deterministic random draws, one stream per purpose.

Each stream is seeded by a label such as `(seed, "t3", body name, year)`, so the
numbers of one body never depend on how many other bodies exist or in which order
they were generated: a larger scale keeps every body the small scale has. Python's
`random.Random` is used because its seeding from strings and its `random`,
`choices` and `gauss` streams are stable across Python versions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Above this mean a Poisson draw uses the normal approximation (exact enough, and fast).
POISSON_EXACT_LIMIT = 60


class Draw:
    """A random stream seeded by a label."""

    def __init__(self, *label: object) -> None:
        self.rng = random.Random(":".join(map(str, label)))

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.rng.random() < p

    def pick(self, options: Sequence[T]) -> T:
        """One option, uniformly."""
        return options[self.rng.randrange(len(options))]

    def weighted(self, options: Mapping[T, float]) -> T:
        """One option, by weight."""
        return self.rng.choices(list(options), weights=list(options.values()), k=1)[0]

    def between(self, low: int, high: int) -> int:
        """A whole number in [low, high]."""
        return self.rng.randint(low, high)

    def scatter(self, mean: float, spread: float = 0.35) -> float:
        """A positive value around `mean`, log-normally spread (median = mean)."""
        return mean * math.exp(self.rng.gauss(0.0, spread))

    def poisson(self, mean: float) -> int:
        """A count with the given mean."""
        if mean <= 0:
            return 0
        if mean > POISSON_EXACT_LIMIT:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k

    def binomial(self, n: int, p: float) -> int:
        """Successes among n trials of probability p."""
        return sum(1 for _ in range(n) if self.rng.random() < p)

    def split(self, n: int, weights: Mapping[str, float]) -> dict[str, int]:
        """n items shared among the keys by weight (a multinomial draw); every key present."""
        counts = dict.fromkeys(weights, 0)
        live = {k: w for k, w in weights.items() if w > 0}
        if n <= 0 or not live:
            return counts
        for key in self.rng.choices(list(live), weights=list(live.values()), k=n):
            counts[key] += 1
        return counts
