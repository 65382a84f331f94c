"""Writes tests/fixtures/offpolicy_pmoe.txt: one PMOE update done in PyTorch (float32) from fixed
weights, a fixed batch and fixed noise, for tests/test_pmoe.c. Run from the repository root with
Debian's python:

    /usr/bin/python3 tests/gen_pmoe_torch.py

The update (docs/algorithms.md, PMOE):
  policy: one MLP obs -> hidden -> K * 2D + K: expert k's mean and log-std (clamped to
      [-20, 2]) side by side for k = 0..K-1, then the K gate logits (softmax);
  target: the next expert j drawn from the gate at s' by inverse CDF with u (the first j with
      u < w_0 + ... + w_j, float32 sums in order), a' = tanh(mu_j + sigma_j eps_next),
      y = r + (1 - done) discount (min_i Q'_i(s', a') - alpha log pi_j(a'|s'));
  critics: 0.5 * sum of MSEs, one Adam step;
  actor: a_k = tanh(mu_k + sigma_k eps_k) for every expert, scored by the updated critics' minimum;
      k* = argmax (first on ties); loss mean(alpha log pi_k*(a_k*) - min Q(s, a_k*)) plus the
      gate's cross-entropy mean(-log w_k*(s)); one Adam step;
  temperature: -(log alpha * (log pi_k* + target_entropy)) with alpha before its step;
  targets: Polyak with tau.
Records are "name count" followed by count floats (%.9g); linear weights in acrl's (in, out)
layout."""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(4321)
OD, D, K, B, H = 3, 2, 3, 8, 16
LR, TAU = 3e-3, 0.05
HEAD = K * 2 * D + K


def write(f, name, t):
    vals = torch.as_tensor(t).detach().double().reshape(-1).tolist()
    f.write(f"{name} {len(vals)}\n")
    f.write(" ".join("%.9g" % v for v in vals) + "\n")


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def write_mlp(f, prefix, name, net):
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    for l, lin in enumerate(lins):
        write(f, f"{prefix}.{name}.{l}.w", lin.weight.t())
        write(f, f"{prefix}.{name}.{l}.b", lin.bias)


def squashed(mean, log_std, eps):
    """tanh-Gaussian action and its log-density (summed over the last axis)"""
    u = mean + log_std.exp() * eps
    gauss = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
    return torch.tanh(u), gauss - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)


def split(head):
    ex = head[:, :K * 2 * D].reshape(-1, K, 2 * D)
    return ex[..., :D], torch.clamp(ex[..., D:], -20, 2), head[:, K * 2 * D:]


def draw(w, u):
    """inverse CDF with float32 partial sums in order, as acrl"""
    c = np.float32(0)
    for k in range(K - 1):
        c = np.float32(c + np.float32(w[k]))
        if np.float32(u) < c:
            return k
    return K - 1


def main():
    alpha0, target_entropy = 0.5, -float(D)
    actor = mlp([OD, H, H, HEAD])
    with torch.no_grad():  # spread the experts' means so that different experts win
        actor[4].bias[:K * 2 * D].copy_(torch.randn(K * 2 * D))
    qs = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    qts = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    for qt, q in zip(qts, qs):
        qt.load_state_dict(q.state_dict())
    log_alpha = torch.tensor([math.log(alpha0)], requires_grad=True)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=LR)
    opt_critic = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LR)
    opt_alpha = torch.optim.Adam([log_alpha], lr=LR)
    obs, next_obs = torch.randn(B, OD), torch.randn(B, OD)
    act = torch.rand(B, D) * 2 - 1
    rew = torch.randn(B)
    done = torch.tensor([0, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32)
    discount = torch.tensor([0.99, 0.99, 0.9801, 0.99, 0.970299, 0.99, 0.99, 0.9801])
    eps_pi, eps_next, u = torch.randn(B, K, D), torch.randn(B, D), torch.rand(B)

    f = open("tests/fixtures/offpolicy_pmoe.txt", "w")
    write(f, "cfg", [OD, D, K, B, H, LR, TAU, alpha0, target_entropy])
    for name, t in zip(["obs", "act", "rew", "next_obs", "done", "discount"], [obs, act, rew, next_obs, done, discount]):
        write(f, "batch." + name, t)
    write(f, "noise.eps_pi", eps_pi)
    write(f, "noise.eps_next", eps_next)
    write(f, "noise.u", u)
    write_mlp(f, "init.actor", "pi", actor)
    for i, q in enumerate(qs):
        write_mlp(f, "init.critic", f"q{i}", q)

    alpha = log_alpha.detach().exp()
    mean, log_std, logits = split(actor(obs))
    a_pi, logp = squashed(mean, log_std, eps_pi)  # (B, K, D), (B, K)
    with torch.no_grad():
        mean_n, log_std_n, logits_n = split(actor(next_obs))
        w_n = F.softmax(logits_n, -1).numpy()
        j = torch.tensor([draw(w_n[i], u[i].item()) for i in range(B)])
        rows = torch.arange(B)
        a_n, logp_n = squashed(mean_n[rows, j], log_std_n[rows, j], eps_next)
        sa_n = torch.cat([next_obs, a_n], 1)
        qn = torch.min(qts[0](sa_n), qts[1](sa_n)).squeeze(1)
        y = rew + (1 - done) * discount * (qn - alpha * logp_n)
    critic_loss = 0.5 * sum(F.mse_loss(q(torch.cat([obs, act], 1)).squeeze(1), y) for q in qs)
    opt_critic.zero_grad()
    critic_loss.backward()
    opt_critic.step()

    sa_pi = torch.cat([obs.unsqueeze(1).expand(B, K, OD), a_pi], -1).reshape(B * K, OD + D)
    q_all = torch.min(qs[0](sa_pi), qs[1](sa_pi)).reshape(B, K)
    best = torch.argmax(q_all.detach(), dim=1)
    q_best = q_all[rows, best]
    logp_best = logp[rows, best]
    gate_ce = -F.log_softmax(logits, -1)[rows, best]
    actor_loss = (alpha * logp_best - q_best).mean() + gate_ce.mean()
    opt_actor.zero_grad()
    actor_loss.backward()
    opt_actor.step()
    alpha_loss = -(log_alpha * (logp_best + target_entropy).detach()).mean()
    opt_alpha.zero_grad()
    alpha_loss.backward()
    opt_alpha.step()
    with torch.no_grad():
        for qt, q in zip(qts, qs):
            for pt, p in zip(qt.parameters(), q.parameters()):
                pt.mul_(1 - TAU).add_(p, alpha=TAU)

    write(f, "out.next_expert", j)
    write(f, "out.best_expert", best)
    write(f, "out.alpha", alpha)
    write(f, "out.critic_loss", critic_loss)
    write(f, "out.actor_loss", actor_loss)
    write(f, "out.entropy", -logp_best.mean())
    write(f, "final.alpha.log_alpha", log_alpha)
    write_mlp(f, "final.actor", "pi", actor)
    for i, q in enumerate(qs):
        write_mlp(f, "final.critic", f"q{i}", q)
    for i, q in enumerate(qts):
        write_mlp(f, "final.critic_targ", f"q{i}", q)
    f.close()
    print("best experts", best.tolist(), "next experts", j.tolist())


main()
