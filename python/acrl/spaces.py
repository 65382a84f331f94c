"""Observation and action spaces, with Gymnasium's attribute names.

acrl observations are float32 vectors (``Box``); actions are either a ``Box`` of float32
or a ``Discrete(n)`` index. ``MultiDiscrete`` is the batched action space of a vector env
over a ``Discrete`` env.
"""
import numpy as np

__all__ = ["Space", "Box", "Discrete", "MultiDiscrete"]


class Space:
    """Base class: ``shape``, ``dtype``, ``sample()``, ``contains(x)``, ``seed(s)``."""

    def __init__(self, shape, dtype, seed=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.np_random = np.random.default_rng(seed)

    def seed(self, seed=None):
        """Reseeds the generator ``sample()`` draws from; returns [seed]."""
        self.np_random = np.random.default_rng(seed)
        return [seed]

    def __contains__(self, x):
        return self.contains(x)


class Box(Space):
    """A box in R^n: ``low`` and ``high`` are float32 arrays of ``shape`` (they may hold
    +-inf). ``Box(-1.0, 1.0, shape=(3,))`` or ``Box(np.array([...]), np.array([...]))``."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        if np.dtype(dtype) != np.float32:
            raise ValueError(f"acrl Box spaces hold float32, not {np.dtype(dtype)}")
        if shape is None:
            shape = np.broadcast(np.asarray(low), np.asarray(high)).shape
        shape = tuple(int(s) for s in shape)
        lo = np.broadcast_to(np.asarray(low, dtype=np.float32), shape).copy()
        hi = np.broadcast_to(np.asarray(high, dtype=np.float32), shape).copy()
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)) or np.any(lo > hi):
            raise ValueError("Box: low must be <= high (and not NaN)")
        super().__init__(shape, np.float32, seed)
        self.low, self.high = lo, hi

    def sample(self):
        """Uniform where bounded; normal (shifted exponential-like where half bounded) otherwise."""
        lo, hi = self.low.astype(np.float64), self.high.astype(np.float64)
        x = np.empty(self.shape)
        both = np.isfinite(lo) & np.isfinite(hi)
        x[both] = self.np_random.uniform(lo[both], hi[both])
        lo_only = np.isfinite(lo) & ~np.isfinite(hi)
        x[lo_only] = lo[lo_only] + self.np_random.exponential(size=lo_only.sum())
        hi_only = ~np.isfinite(lo) & np.isfinite(hi)
        x[hi_only] = hi[hi_only] - self.np_random.exponential(size=hi_only.sum())
        neither = ~np.isfinite(lo) & ~np.isfinite(hi)
        x[neither] = self.np_random.normal(size=neither.sum())
        return np.clip(x.astype(np.float32), self.low, self.high)

    def contains(self, x):
        try:
            a = np.asarray(x, dtype=np.float32)
        except (TypeError, ValueError):
            return False
        return a.shape == self.shape and bool(np.all(a >= self.low) and np.all(a <= self.high))

    def __repr__(self):
        if self.low.size and np.all(self.low == self.low.flat[0]) and np.all(self.high == self.high.flat[0]):
            return f"Box({self.low.flat[0]}, {self.high.flat[0]}, {self.shape}, float32)"
        return f"Box({self.low}, {self.high}, {self.shape}, float32)"

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and np.array_equal(self.low, other.low)
                and np.array_equal(self.high, other.high))


class Discrete(Space):
    """The integers 0, 1, ..., n - 1."""

    def __init__(self, n, seed=None):
        n = int(n)
        if n < 1:
            raise ValueError(f"Discrete: n must be >= 1, got {n}")
        super().__init__((), np.int64, seed)
        self.n = n
        self.start = 0

    def sample(self):
        return np.int64(self.np_random.integers(self.n))

    def contains(self, x):
        if isinstance(x, (bool, np.bool_)):
            return False
        if isinstance(x, (int, np.integer)):
            return 0 <= int(x) < self.n
        a = np.asarray(x)
        return a.shape == () and a.dtype.kind in "iu" and 0 <= int(a) < self.n

    def __repr__(self):
        return f"Discrete({self.n})"

    def __eq__(self, other):
        return isinstance(other, Discrete) and self.n == other.n


class MultiDiscrete(Space):
    """A vector of independent Discrete choices: element i in [0, nvec[i])."""

    def __init__(self, nvec, seed=None):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        super().__init__(self.nvec.shape, np.int64, seed)

    def sample(self):
        return self.np_random.integers(self.nvec).astype(np.int64)

    def contains(self, x):
        a = np.asarray(x)
        return a.shape == self.shape and a.dtype.kind in "iu" and bool(np.all((a >= 0) & (a < self.nvec)))

    def __repr__(self):
        return f"MultiDiscrete({self.nvec})"

    def __eq__(self, other):
        return isinstance(other, MultiDiscrete) and np.array_equal(self.nvec, other.nvec)
