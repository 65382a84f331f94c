"""Writes tests/fixtures/rng_normal.txt for test_rng_normal.c and tests/fixtures/mujoco_reset_normal.txt
for test_mujoco.c: NumPy's Generator.standard_normal stream (ziggurat) and Gymnasium-style resets.

Run with /usr/bin/python3 (NumPy 1.24). For every value it also records how many raw 64-bit draws
NumPy consumed (found by replaying the PCG64 state), so the C test checks the draw count value by value
and can tell the fast path (1 draw), the wedge (2+) and the tail (|x| > r) apart."""
import os
import numpy as np

R = 3.6541528853610088
HERE = os.path.dirname(os.path.abspath(__file__))


def draws_between(seed, before, after):
    """Number of random_raw() calls taking PCG64 state `before` to `after`."""
    bg = np.random.PCG64(seed)
    bg.state = before
    n = 0
    while bg.state["state"]["state"] != after["state"]["state"]:
        bg.random_raw()
        n += 1
        assert n < 1000
    return n


def stream(seed, n):
    g = np.random.default_rng(seed)
    vals, draws = [], []
    for _ in range(n):
        before = g.bit_generator.state
        x = g.standard_normal()
        vals.append(float(x))
        draws.append(draws_between(seed, before, g.bit_generator.state))
    # the whole-array call gives the same values
    assert np.array_equal(np.random.default_rng(seed).standard_normal(n), np.array(vals))
    nxt = float(g.random())
    return vals, draws, nxt


def tail_count(seed, n):
    return int(np.sum(np.abs(np.random.default_rng(seed).standard_normal(n)) > R))


def main():
    n = 2000
    seeds = [0, 1, 42, 12345, 2**40 + 987654321]
    # one more seed whose first n values take the tail path at least 3 times
    s = 100
    while tail_count(s, n) < 3:
        s += 1
    seeds.append(s)
    lines = ["# seed n, then n lines 'hexfloat draws', then 'next' hexfloat of Generator.random()"]
    tot = {"tail": 0, "multi": 0}
    for seed in seeds:
        vals, draws, nxt = stream(seed, n)
        lines.append(f"seed {seed} {n}")
        for v, d in zip(vals, draws):
            lines.append(f"{v.hex()} {d}")
            if abs(v) > R:
                tot["tail"] += 1
            elif d > 1:
                tot["multi"] += 1
        lines.append(f"next {nxt.hex()}")
    with open(os.path.join(HERE, "fixtures", "rng_normal.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("seeds", seeds, "tail values", tot["tail"], "non-tail values with >1 draw (wedge)", tot["multi"])

    # Gymnasium v4 resets (np_random = default_rng(seed)):
    #   qpos = init_qpos + uniform(-s, s, nq);  qvel = init_qvel + s * standard_normal(nv)
    # stored as the noise terms; init_qpos is the model's qpos0 and init_qvel is 0.
    lines = ["# env seed nq nv, then nq qpos-noise hexfloats, then nv qvel hexfloats"]
    for env, nq, nv, s in (("HalfCheetah-v4", 9, 9, 0.1), ("Ant-v4", 15, 14, 0.1),
                           ("InvertedDoublePendulum-v4", 3, 3, 0.1)):
        for seed in (0, 42, 2024):
            g = np.random.default_rng(seed)
            dq = g.uniform(low=-s, high=s, size=nq)
            qv = np.zeros(nv) + s * g.standard_normal(nv)
            lines.append(f"{env} {seed} {nq} {nv}")
            lines.append(" ".join(float(v).hex() for v in dq))
            lines.append(" ".join(float(v).hex() for v in qv))
    with open(os.path.join(HERE, "fixtures", "mujoco_reset_normal.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
