#!/usr/bin/env python3
"""Expected-gradient flow of two softmax policies on the climbing game (issue #15).

The exact policy gradient of the expected team payoff J = p0' R p1 (plus tau times each
policy's entropy), integrated from the uniform start (MAPPO's and IPPO's small-gain output
layers start near it), with one policy per agent or one shared policy.
This is what PPO with a state-value critic follows on a one-step game in the limit of
large batches and small steps; a critic of the (constant) state cannot change it.
Needs numpy: /usr/bin/python3 bench/climbing_flow.py
"""
import numpy as np

R = np.array([[11, -30, 0], [-30, 7, 6], [0, 0, 5]], float)  # Claus & Boutilier, original


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def ascent(p, q, tau):
    """d J / d logits of softmax p, where q holds each action's expected payoff."""
    v = q - tau * (np.log(p + 1e-30) + 1)
    return p * (v - p @ v)


def flow(tau, shared, steps=200000, lr=0.01):
    z0, z1 = np.zeros(3), np.zeros(3)
    for _ in range(steps):
        p0 = softmax(z0)
        p1 = p0 if shared else softmax(z1)
        g0, g1 = ascent(p0, R @ p1, tau), ascent(p1, R.T @ p0, tau)
        if shared:
            z0 += lr * (g0 + g1) / 2
        else:
            z0 += lr * g0
            z1 += lr * g1
    p0 = softmax(z0)
    p1 = p0 if shared else softmax(z1)
    return p0, p1


print("tau    policies  p(agent 0)            p(agent 1)            payoff")
for tau in [0.0, 0.01, 0.1, 0.3, 1.0, 3.0]:
    for shared in [False, True]:
        p0, p1 = flow(tau, shared)
        print(f"{tau:<6} {'shared' if shared else 'own':<9} {np.round(p0, 3)!s:<21} "
              f"{np.round(p1, 3)!s:<21} {p0 @ R @ p1:6.2f}")
