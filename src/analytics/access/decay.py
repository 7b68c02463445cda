"""Distance-decay functions: how much a venue counts at a given cost, applied to arrays of costs.

Each is a small frozen dataclass (readable, comparable, usable as a cache key) called on a float
array of costs and returning a float array of weights. Any vectorised callable with that shape
works where a `Decay` is expected.

>>> StepDecay(((10, 1.0), (20, 0.68), (30, 0.22)))(np.array([0.0, 10.0, 10.5, 30.0, 31.0])).tolist()
[1.0, 1.0, 0.68, 0.22, 0.0]
>>> PowerDecay(exponent=2, min_cost=100)(np.array([0.0, 100.0, 200.0])).tolist()
[0.0001, 0.0001, 2.5e-05]
>>> GaussianDecay(sigma=400)(np.array([0.0, 400.0])).round(4).tolist()
[1.0, 0.6065]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analytics.access._checks import FloatArray

Decay = Callable[[FloatArray], FloatArray]

# Luo & Qi (2009): zones of 0-10, 10-20 and 20-30 minutes weighted 1, 0.68, 0.22 (also PySAL access's default).
LUO_QI_2009_BANDS_MINUTES: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))


@dataclass(frozen=True)
class StepDecay:
    """Weight by cost band: cost <= bands[0] upper bound gets bands[0] weight, and so on; beyond the last, 0."""

    bands: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        bands = tuple((float(upper), float(weight)) for upper, weight in self.bands)
        if not bands:
            raise ValueError("bands must contain at least one (upper cost, weight) pair")
        uppers = [upper for upper, _ in bands]
        if not all(math.isfinite(upper) and upper >= 0 for upper in uppers):
            raise ValueError(f"band upper bounds must be finite and non-negative, got {uppers}")
        if any(later <= earlier for earlier, later in itertools.pairwise(uppers)):
            raise ValueError(f"band upper bounds must increase strictly, got {uppers}")
        if not all(math.isfinite(weight) and weight >= 0 for _, weight in bands):
            raise ValueError(f"band weights must be finite and non-negative, got {[w for _, w in bands]}")
        object.__setattr__(self, "bands", bands)

    @property
    def reach(self) -> float:
        """The largest cost that still carries a weight: the last band's upper bound."""
        return self.bands[-1][0]

    def __call__(self, costs: FloatArray) -> FloatArray:
        """The weight of each cost; one boolean pass per band keeps memory to one float array."""
        weights = np.zeros(costs.shape)
        for upper, weight in reversed(self.bands):  # nearer bands overwrite farther ones
            weights[costs <= upper] = weight
        return weights


@dataclass(frozen=True)
class PowerDecay:
    """(max(cost, min_cost) / scale) ** -exponent, the classic gravity decay; min_cost > 0 keeps zero cost finite."""

    exponent: float
    min_cost: float
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.exponent) and self.exponent >= 0):
            raise ValueError(f"exponent must be finite and non-negative (weights fall with cost), got {self.exponent}")
        if not (math.isfinite(self.min_cost) and self.min_cost > 0):
            raise ValueError(f"min_cost must be positive (a zero cost would weigh infinity), got {self.min_cost}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be positive, got {self.scale}")

    def __call__(self, costs: FloatArray) -> FloatArray:
        """The weight of each cost, computed in place on one temporary array."""
        weights = np.maximum(costs, self.min_cost)
        weights /= self.scale
        return np.power(weights, -self.exponent, out=weights)


@dataclass(frozen=True)
class GaussianDecay:
    """exp(-cost² / (2 sigma²)): 1 at zero cost, 0.61 at sigma, 0.14 at two sigma."""

    sigma: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(f"sigma must be positive, got {self.sigma}")

    def __call__(self, costs: FloatArray) -> FloatArray:
        """The weight of each cost, computed in place on one temporary array."""
        weights = np.negative(costs)
        weights *= costs
        weights /= 2 * self.sigma**2
        return np.exp(weights, out=weights)


@dataclass(frozen=True)
class ExponentialDecay:
    """exp(-rate * cost): halves every ln(2) / rate."""

    rate: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate >= 0):
            raise ValueError(f"rate must be finite and non-negative, got {self.rate}")

    def __call__(self, costs: FloatArray) -> FloatArray:
        """The weight of each cost."""
        weights = costs * -self.rate
        return np.exp(weights, out=weights)
