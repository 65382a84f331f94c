"""Python binding benchmarks (docs/benchmarks.md, "Python binding").

    PYTHONPATH=python /usr/bin/python3 bench/bench_python.py [BUILD_DIR]

1. make_vec("CartPole-v1", 64) stepped from Python with random actions (drawn before the
   timed loop) against the same 64 copies stepped by C (build/bench_env), measured in
   alternation in this run, best of 5 each; the difference per batch call is the binding's
   overhead.
2. An env written in Python (examples/py_pendulum.py) against the same dynamics in C
   (Pendulum-v1): vectorized stepping (16 copies; also a Python env that does nothing, the
   floor of the callback) and SAC training (same configuration).
The process runs at the default priority (not niced).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import acrl  # noqa: E402
from py_pendulum import PyPendulum  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
SECS = 0.5


def cpu_name():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    m = re.search(r"Model name:\s*(.+)", out)
    return m.group(1).strip() if m else "unknown"


def c_vec_sps(env_id):
    out = subprocess.run([os.path.join(BUILD, "bench_env"), str(SECS), env_id], capture_output=True, text=True,
                         check=True).stdout
    row = [line for line in out.splitlines() if line.startswith(f"| {env_id} ")][0]
    cell = row.split("|")[3].strip()   # vec 64 copies, 1 thread
    num, unit = cell.split()
    return float(num) * {"M": 1e6, "k": 1e3}[unit]


def py_vec_sps(env_id, n, low=None, high=None):
    v = acrl.make_vec(env_id, n)
    v.reset(seed=0)
    rng = np.random.default_rng(0)
    if isinstance(v.single_action_space, acrl.spaces.Discrete):
        acts = rng.integers(0, v.single_action_space.n, (256, n))
    else:
        s = v.single_action_space
        acts = rng.uniform(s.low, s.high, (256, n) + s.shape).astype(np.float32)
    step = v.step
    calls = 0
    t0 = time.perf_counter()
    while True:
        for i in range(256):
            step(acts[i])
        calls += 256
        t = time.perf_counter() - t0
        if t >= SECS:
            break
    v.close()
    return calls * n / t


def sac_sps(env_id, steps):
    with tempfile.TemporaryDirectory() as d:
        r = acrl.train("sac", env_id, steps=steps, seed=0, out=os.path.join(d, "run"), quiet=True,
                       config={"learning_rate": 1e-3, "eval_freq": 0, "learning_starts": 100})
    return r.summary["sps"]


class Minimal:
    """The cheapest Python env: constant observation, the floor of a callback step."""

    def __init__(self):
        self.observation_space = acrl.spaces.Box(-1.0, 1.0, shape=(3,))
        self.action_space = acrl.spaces.Box(-1.0, 1.0, shape=(1,))
        self.obs = np.zeros(3, np.float32)

    def reset(self, seed=None, options=None):
        return self.obs, {}

    def step(self, action):
        return self.obs, 0.0, False, False, {}


def main():
    acrl.register_env("PyPendulum-v1", PyPendulum, max_episode_steps=200)
    acrl.register_env("PyMinimal-v0", Minimal, max_episode_steps=200)
    print(f"CPU: {cpu_name()}; load average before: {os.getloadavg()[0]:.1f}; priority: nice {os.nice(0)}\n")
    cs, ps = [], []
    for _ in range(5):
        cs.append(c_vec_sps("CartPole-v1"))
        ps.append(py_vec_sps("CartPole-v1", 64))
    c, p = max(cs), max(ps)
    print("| CartPole-v1, 64 copies, 1 thread | env steps/s (best of 5) | per batch call |")
    print("|---|---:|---:|")
    print(f"| C (bench_env) | {c / 1e6:.2f} M | {64 / c * 1e6:.2f} us |")
    print(f"| Python make_vec, random actions | {p / 1e6:.2f} M | {64 / p * 1e6:.2f} us |")
    print(f"\nbinding overhead per batch call: {(64 / p - 64 / c) * 1e6:.2f} us (Python / C: {p / c:.2f})\n")

    cv, pv, mv = [], [], []
    for _ in range(3):
        cv.append(py_vec_sps("Pendulum-v1", 16))
        pv.append(py_vec_sps("PyPendulum-v1", 16))
        mv.append(py_vec_sps("PyMinimal-v0", 16))
    c, p, m = max(cv), max(pv), max(mv)
    print("| 16 copies via make_vec | env steps/s (best of 3) | per env step |")
    print("|---|---:|---:|")
    print(f"| C env (Pendulum-v1) | {c / 1e3:.1f} k | {1e6 / c:.2f} us |")
    print(f"| Python env (PyPendulum-v1, examples/py_pendulum.py) | {p / 1e3:.1f} k | {1e6 / p:.2f} us |")
    print(f"| Python env doing nothing (the callback's floor) | {m / 1e3:.1f} k | {1e6 / m:.2f} us |")
    cs_, ps_ = sac_sps("Pendulum-v1", 2000), sac_sps("PyPendulum-v1", 2000)
    print(f"\nSAC, 2000 steps (256x256, batch 256, one gradient step per env step): C env {cs_:.0f} steps/s, "
          f"Python env {ps_:.0f} steps/s (Python / C: {ps_ / cs_:.2f})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
