"""Writes tests/fixtures/offpolicy_dsact.txt: three DSAC-T updates done in PyTorch (float32)
from fixed weights, a fixed batch and fixed noise, for tests/test_offpolicy_torch.c. Run from
the repository root with Debian's python:

    /usr/bin/python3 tests/gen_dsact_torch.py

Written from the paper (Duan et al., DSAC-T, arXiv 2310.05858) in the official code's order:
every iteration computes all gradients first (critics, then the actor through the critics as
they were before their step, then the temperature), then steps the critics; every `delay`-th
iteration (counter % delay == 0) also steps the actor and the temperature and moves all
targets (critics and policy) by Polyak averaging.
  - critic i outputs (mean Q_i, raw); sigma_i = softplus(raw)
  - sigma-bar_i: the first batch's mean sigma_i, then (1 - tau_b) sigma-bar_i + tau_b mean sigma_i
  - a' ~ pi_target(s'); i* = argmin of the target means; z = clip(eps, -3, 3)
  - y_q = r + g (min_i Q'_i - alpha log pi'(a'|s')), y_z = r + g (Q'_i* + z sigma'_i* - alpha log pi')
  - C_i = Q_i + clip(y_z - Q_i, -3 sigma-bar_i, 3 sigma-bar_i)
  - L_i = (sigma-bar_i^2 + eps) mean[-sg(y_q - Q_i)/(sg(sigma_i)^2 + eps) Q_i
                                   - (sg(Q_i - C_i)^2 - sg(sigma_i)^2)/(sg(sigma_i)^3 + eps) sigma_i]
  - actor: mean(alpha log pi(a|s) - min_i Q_i(s, a)); temperature: -log alpha (mean log pi + H)
Updates 0 and 2 train the actor, update 1 only the critics. Some rewards are large and some
noise values lie beyond +-3, so that the clip of y_z and of z are both exercised; the actor's
log-std bias starts at 0.3, so that some log-stds are clamped at 0.5.

Weights are written in acrl's layout: linear weights (in, out), PyTorch's transposed; the
actor's mean and log-std heads are one (hidden, 2D) output layer."""
import torch
import torch.nn.functional as F

torch.manual_seed(4321)
OD, D, B, H = 3, 2, 8, 16
LRQ, LRP, LRA = 3e-3, 2e-3, 1e-3
TAU, TAU_B, EPS, DELAY = 0.05, 0.1, 0.1, 2
ALPHA0_LOG, LS_MIN, LS_MAX = 1.0, -20.0, 0.5
TARGET_ENTROPY = -float(D)
STEPS = 3


def write(f, name, t):
    vals = torch.as_tensor(t).detach().double().reshape(-1).tolist()
    f.write(f"{name} {len(vals)}\n")
    f.write(" ".join("%.9g" % v for v in vals) + "\n")


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.GELU())
    return torch.nn.Sequential(*layers)


def write_mlp(f, prefix, name, net):
    for l, lin in enumerate(m for m in net if isinstance(m, torch.nn.Linear)):
        write(f, f"{prefix}.{name}.{l}.w", lin.weight.t())
        write(f, f"{prefix}.{name}.{l}.b", lin.bias)


def polyak(target, online):
    with torch.no_grad():
        for pt, p in zip(target.parameters(), online.parameters()):
            pt.mul_(1 - TAU).add_(p, alpha=TAU)


def policy(net, o, eps):
    head = net(o)
    mean, log_std = head[:, :D], torch.clamp(head[:, D:], LS_MIN, LS_MAX)
    u = mean + log_std.exp() * eps
    gauss = (-0.5 * eps ** 2 - log_std - 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(-1)
    logp = gauss - (2 * (torch.log(torch.tensor(2.0)) - u - F.softplus(-2 * u))).sum(-1)
    return torch.tanh(u), logp


actor = mlp([OD, H, H, 2 * D])
with torch.no_grad():
    actor[-1].bias[D:].fill_(0.3)
actor_t = mlp([OD, H, H, 2 * D])
actor_t.load_state_dict(actor.state_dict())
qs = [mlp([OD + D, H, H, 2]) for _ in range(2)]
qts = [mlp([OD + D, H, H, 2]) for _ in range(2)]
for qt, q in zip(qts, qs):
    qt.load_state_dict(q.state_dict())
log_alpha = torch.tensor([ALPHA0_LOG], requires_grad=True)
opt_q = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LRQ)
opt_p = torch.optim.Adam(actor.parameters(), lr=LRP)
opt_a = torch.optim.Adam([log_alpha], lr=LRA)

obs, next_obs = torch.randn(B, OD), torch.randn(B, OD)
act = torch.rand(B, D) * 2 - 1
rew = torch.randn(B) * 3
rew[0], rew[3] = 9.0, -8.0  # far from Q: y_z gets clipped
done = torch.tensor([0, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32)
discount = torch.full((B,), 0.99)
noise = []
for k in range(STEPS):
    ez = torch.randn(B)
    ez[k], ez[k + 4] = 3.7, -4.2  # beyond the clip at 3
    noise.append((torch.randn(B, D), torch.randn(B, D), ez))

f = open("tests/fixtures/offpolicy_dsact.txt", "w")
write(f, "cfg", [OD, D, B, H, LRQ, LRP, LRA, TAU, TAU_B, EPS, DELAY])
for name, t in zip(["obs", "act", "rew", "next_obs", "done", "discount"], [obs, act, rew, next_obs, done, discount]):
    write(f, "batch." + name, t)
for k, (e1, e2, ez) in enumerate(noise):
    write(f, f"noise.eps_pi{k}", e1)
    write(f, f"noise.eps_next{k}", e2)
    write(f, f"noise.eps_z{k}", ez)
write_mlp(f, "init.actor", "pi", actor)
for i, q in enumerate(qs):
    write_mlp(f, "init.critic", f"q{i}", q)

sbar = [None, None]
out = {"qloss": [], "alpha": [], "sigma": [], "bound": [], "aloss": [], "entropy": []}
clipped_y = clipped_z = 0
for it in range(STEPS):
    eps_pi, eps_next, eps_z = noise[it]
    alpha = log_alpha.detach().exp()
    a_pi, logp = policy(actor, obs, eps_pi)
    with torch.no_grad():
        a_n, logp_n = policy(actor_t, next_obs, eps_next)
    outs = [q(torch.cat([obs, act], 1)) for q in qs]
    means = [o[:, 0] for o in outs]
    sigmas = [F.softplus(o[:, 1]) for o in outs]
    for i in range(2):
        m = sigmas[i].detach().mean()
        sbar[i] = m if sbar[i] is None else (1 - TAU_B) * sbar[i] + TAU_B * m
    with torch.no_grad():
        touts = [qt(torch.cat([next_obs, a_n], 1)) for qt in qts]
        tm = [o[:, 0] for o in touts]
        ts = [F.softplus(o[:, 1]) for o in touts]
        z = torch.clamp(eps_z, -3, 3)
        clipped_z += int((z != eps_z).sum())
        zhat = torch.where(tm[0] < tm[1], tm[0] + z * ts[0], tm[1] + z * ts[1])
        g = (1 - done) * discount
        yq = rew + g * (torch.min(tm[0], tm[1]) - alpha * logp_n)
        yz = rew + g * (zhat - alpha * logp_n)
    qloss = 0
    for i in range(2):
        q, s = means[i], sigmas[i]
        qd, sd = q.detach(), s.detach()
        bound = 3 * sbar[i]
        c = qd + torch.clamp(yz - qd, -bound, bound)
        clipped_y += int(((yz - qd).abs() > bound).sum())
        qloss = qloss + (sbar[i] ** 2 + EPS) * torch.mean(
            -(yq - qd) / (sd ** 2 + EPS) * q - ((qd - c) ** 2 - sd ** 2) / (sd ** 3 + EPS) * s)
    opt_q.zero_grad()
    qloss.backward()
    out["qloss"].append(qloss.item())
    out["alpha"].append(alpha.item())
    out["sigma"].append(0.5 * (sigmas[0].detach().mean() + sigmas[1].detach().mean()).item())
    out["bound"].append(0.5 * 3 * (sbar[0] + sbar[1]).item())
    if it % DELAY == 0:
        for q in qs:
            q.requires_grad_(False)
        qpi = [q(torch.cat([obs, a_pi], 1))[:, 0] for q in qs]
        aloss = (alpha * logp - torch.min(qpi[0], qpi[1])).mean()
        opt_p.zero_grad()
        aloss.backward()
        for q in qs:
            q.requires_grad_(True)
        alpha_loss = -(log_alpha * (logp.detach() + TARGET_ENTROPY).mean())
        opt_a.zero_grad()
        alpha_loss.backward()
        out["aloss"].append(aloss.item())
        out["entropy"].append(-logp.detach().mean().item())
    opt_q.step()
    if it % DELAY == 0:
        opt_p.step()
        opt_a.step()
        for qt, q in zip(qts, qs):
            polyak(qt, q)
        polyak(actor_t, actor)

for k, v in out.items():
    write(f, "out." + k, v)
write(f, "out.sigma_bar", [sbar[0], sbar[1]])
write(f, "final.alpha.log_alpha", log_alpha)
write_mlp(f, "final.actor", "pi", actor)
write_mlp(f, "final.actor_targ", "pi", actor_t)
for i, q in enumerate(qs):
    write_mlp(f, "final.critic", f"q{i}", q)
for i, q in enumerate(qts):
    write_mlp(f, "final.critic_targ", f"q{i}", q)
f.close()
print(f"offpolicy_dsact.txt: {clipped_y} clipped y_z, {clipped_z} clipped z over {STEPS} updates")
