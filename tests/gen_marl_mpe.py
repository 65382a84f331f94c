#!/usr/bin/python3
"""Writes tests/fixtures/marl_mpe.txt: episodes of PettingZoo's simple_spread_v3,
simple_reference_v3 and simple_speaker_listener_v4 (continuous_actions=False,
max_cycles=25) computed by an independent NumPy re-implementation of PettingZoo's
formulas (pettingzoo/mpe/_mpe_utils/core.py, simple_env.py and the three scenario
files), since PettingZoo itself cannot be installed here. Seeding as PettingZoo's
reset(seed=s): numpy.random.default_rng(s) (Generator(PCG64)), goals drawn with
Generator.choice, positions with Generator.uniform(-1, 1, 2).

Format: "EPISODE <id> <seed> <steps>", then per step (step 0: after reset)
"S t", "A a0 a1 ..." (step >= 1), "O <state: the agents' float32 observations
concatenated>", "R r0 r1 ..." (step >= 1). Run: /usr/bin/python3 tests/gen_marl_mpe.py"""
import numpy as np


class Ent:
    def __init__(self, size=0.05, movable=False, collide=True, silent=False):
        self.size, self.movable, self.collide, self.silent = size, movable, collide, silent
        self.pos = np.zeros(2)
        self.vel = np.zeros(2)
        self.c = None
        self.color = np.zeros(3)
        self.goal_a = self.goal_b = None


class World:
    def __init__(self, agents, landmarks, dim_c):
        self.agents, self.landmarks, self.dim_c = agents, landmarks, dim_c

    def step(self, us, cs):
        ents = self.agents + self.landmarks
        force = [None] * len(ents)
        for i, a in enumerate(self.agents):
            if a.movable:
                force[i] = us[i] + 0.0
        for i, ea in enumerate(ents):
            for j, eb in enumerate(ents):
                if j <= i or not ea.collide or not eb.collide:
                    continue
                d = ea.pos - eb.pos
                dist = np.sqrt(np.sum(np.square(d)))
                pen = np.logaddexp(0, -(dist - (ea.size + eb.size)) / 1e-3) * 1e-3
                f = 1e2 * d / dist * pen
                if ea.movable:
                    force[i] = f + (0.0 if force[i] is None else force[i])
                if eb.movable:
                    force[j] = -f + (0.0 if force[j] is None else force[j])
        for i, e in enumerate(ents):
            if not e.movable:
                continue
            e.vel = e.vel * (1 - 0.25)
            if force[i] is not None:
                e.vel = e.vel + (force[i] / 1.0) * 0.1
            e.pos = e.pos + e.vel * 0.1
        for i, a in enumerate(self.agents):
            a.c = np.zeros(self.dim_c) if a.silent else cs[i]


def decode(world, actions):
    us, cs = [], []
    for a, act in zip(world.agents, actions):
        u, c = np.zeros(2), np.zeros(world.dim_c)
        if a.movable:
            m = act % 5
            act //= 5
            if m == 1: u[0] = -1.0
            if m == 2: u[0] = +1.0
            if m == 3: u[1] = -1.0
            if m == 4: u[1] = +1.0
            u *= 5.0
        if not a.silent:
            c[act] = 1.0
        us.append(u)
        cs.append(c)
    return us, cs


def dist(a, b):
    return np.sqrt(np.sum(np.square(a.pos - b.pos)))


def spread(rng, n=3):
    ag = [Ent(0.15, True, True, True) for _ in range(n)]
    lm = [Ent(0.05, False, False) for _ in range(n)]
    w = World(ag, lm, 2)
    for a in ag:
        a.pos = rng.uniform(-1, +1, 2); a.vel = np.zeros(2); a.c = np.zeros(2)
    for l in lm:
        l.pos = rng.uniform(-1, +1, 2)

    def obs(a):
        ent = [l.pos - a.pos for l in lm]
        other = [o.pos - a.pos for o in ag if o is not a]
        comm = [o.c for o in ag if o is not a]
        return np.concatenate([a.vel] + [a.pos] + ent + other + comm)

    def rewards():
        g = -sum(min(dist(a, l) for a in ag) for l in lm)
        out = []
        for a in ag:
            r = 0.0
            for o in ag:
                r -= 1.0 * ((dist(o, a) < o.size + a.size) and o is not a)
            out.append(g * 0.5 + r * 0.5)
        return out
    return w, obs, rewards, [5] * n


def reference(rng):
    ag = [Ent(0.05, True, False) for _ in range(2)]
    lm = [Ent(0.05, False, False) for _ in range(3)]
    w = World(ag, lm, 10)
    ag[0].goal_a, ag[0].goal_b = ag[1], rng.choice(lm)
    ag[1].goal_a, ag[1].goal_b = ag[0], rng.choice(lm)
    for l, col in zip(lm, ([0.75, 0.25, 0.25], [0.25, 0.75, 0.25], [0.25, 0.25, 0.75])):
        l.color = np.array(col)
    for a in ag:
        a.pos = rng.uniform(-1, +1, 2); a.vel = np.zeros(2); a.c = np.zeros(10)
    for l in lm:
        l.pos = rng.uniform(-1, +1, 2)

    def obs(a):
        ent = [l.pos - a.pos for l in lm]
        comm = [o.c for o in ag if o is not a]
        return np.concatenate([a.vel] + ent + [a.goal_b.color] + comm)

    def rewards():
        own = [-np.sqrt(np.sum(np.square(a.goal_a.pos - a.goal_b.pos))) for a in ag]
        g = sum(own) / len(ag)
        return [g * 0.5 + r * 0.5 for r in own]
    return w, obs, rewards, [50, 50]


def speaker_listener(rng):
    ag = [Ent(0.075, False, False), Ent(0.075, True, False, True)]
    lm = [Ent(0.04, False, False) for _ in range(3)]
    w = World(ag, lm, 3)
    ag[0].goal_a, ag[0].goal_b = ag[1], rng.choice(lm)
    for l, col in zip(lm, ([0.65, 0.15, 0.15], [0.15, 0.65, 0.15], [0.15, 0.15, 0.65])):
        l.color = np.array(col)
    for a in ag:
        a.pos = rng.uniform(-1, +1, 2); a.vel = np.zeros(2); a.c = np.zeros(3)
    for l in lm:
        l.pos = rng.uniform(-1, +1, 2)

    def obs(a):
        if a is ag[0]:
            return a.goal_b.color.copy()
        ent = [l.pos - a.pos for l in lm]
        return np.concatenate([a.vel] + ent + [ag[0].c])

    def rewards():
        r = -np.sum(np.square(ag[0].goal_a.pos - ag[0].goal_b.pos))
        return [r, r]
    return w, obs, rewards, [3, 5]


def episode(out, name, make, seed, steps=25, place=()):
    rng = np.random.default_rng(seed)
    w, obs, rewards, nact = make(rng)
    out.append(f"EPISODE {name} {seed} {steps}")
    for i, x, y in place:   # "P i x y": agent i moved there after the reset (contacts)
        w.agents[i].pos = np.array([x, y])
        out.append(f"P {i} {x!r} {y!r}")

    def state():
        return np.concatenate([obs(a).astype(np.float32) for a in w.agents])
    out.append("S 0")
    out.append("O " + " ".join(f"{v:.9g}" for v in state()))
    for t in range(1, steps + 1):
        acts = [int((7 * t + 3 * i + seed + (t * t) // 3) % n) for i, n in enumerate(nact)]
        us, cs = decode(w, acts)
        w.step(us, cs)
        out.append(f"S {t}")
        out.append("A " + " ".join(str(a) for a in acts))
        out.append("O " + " ".join(f"{v:.9g}" for v in state()))
        out.append("R " + " ".join(f"{r:.17g}" for r in rewards()))


def main():
    out = []
    for s in (0, 7):
        episode(out, "MPE-SimpleSpread-v3", spread, s)
        episode(out, "MPE-SimpleReference-v3", reference, s)
        episode(out, "MPE-SimpleSpeakerListener-v4", speaker_listener, s)
    # agents placed overlapping: contact forces and collision penalties
    episode(out, "MPE-SimpleSpread-v3", spread, 3, place=((0, 0.0, 0.0), (1, 0.15, 0.0), (2, 0.3, 0.0)))
    with open("tests/fixtures/marl_mpe.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
