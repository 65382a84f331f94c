"""Writes tests/fixtures/offpolicy_stac.txt: two STAC updates done in PyTorch (float32) from
fixed weights, a fixed batch and fixed noise, for tests/test_offpolicy_torch.c. Run from the
repository root with Debian's python:

    /usr/bin/python3 tests/gen_stac_torch.py

Written from the paper (Özalp, STAC, arXiv 2601.00737) in the order of the author's
rl-warehouse stac.py, with acrl's tanh-Gaussian actor (mean and clamped log-std heads):
  - critic (obs, act) -> (mu, raw), sigma = softplus(max(raw, -5)); networks
    Linear -> LayerNorm -> ReLU per hidden layer (dropout 0 here: its masks are tested with
    the MLP in tests/gen_nn_torch.py)
  - y = r + gamma^m (1 - d) (mu'(s', a') - beta sigma'(s', a') - alpha log pi(a'|s')), a' ~ pi(s')
  - critic step (AdamW, weight decay 0.01) on the Gaussian NLL -log N(y; mu, sigma), then Polyak
  - actor step (AdamW) on mean(alpha log pi(a|s) - mu(s, a) + beta sigma(s, a)) through the
    updated critic
  - alpha <- alpha exp(lr_q alpha (H_target - H)), H = -mean log pi, H_target = -|A|
Some of the critic's raw sigmas start below the floor (-5), so that the floor is exercised.

Weights are written in acrl's layout: linear weights (in, out), PyTorch's transposed; layer
norm gain and bias as "<l>.ln_g" and "<l>.ln_b"."""
import math

import torch
import torch.nn.functional as F

torch.manual_seed(2468)
OD, D, B, H = 3, 2, 8, 16
LRQ, LRP, TAU, WD = 3e-3, 2e-3, 0.05, 0.01
ALPHA0, BETA, FLOOR = 0.3, 0.5, -5.0
TARGET_ENTROPY = -float(D)
STEPS = 2


def write(f, name, t):
    vals = torch.as_tensor(t).detach().double().reshape(-1).tolist()
    f.write(f"{name} {len(vals)}\n")
    f.write(" ".join("%.9g" % v for v in vals) + "\n")


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            ln = torch.nn.LayerNorm(sizes[i + 1])
            with torch.no_grad():
                ln.weight.uniform_(0.5, 1.5)
                ln.bias.uniform_(-0.2, 0.2)
            layers += [ln, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)


def write_mlp(f, prefix, name, net):
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    lns = [m for m in net if isinstance(m, torch.nn.LayerNorm)]
    for l, lin in enumerate(lins):
        write(f, f"{prefix}.{name}.{l}.w", lin.weight.t())
        write(f, f"{prefix}.{name}.{l}.b", lin.bias)
        if l < len(lns):
            write(f, f"{prefix}.{name}.{l}.ln_g", lns[l].weight)
            write(f, f"{prefix}.{name}.{l}.ln_b", lns[l].bias)


def policy(o, eps):
    head = actor(o)
    mean, log_std = head[:, :D], torch.clamp(head[:, D:], -20, 2)
    u = mean + log_std.exp() * eps
    gauss = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
    logp = gauss - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
    return torch.tanh(u), logp


def critic(net, o, a):
    out = net(torch.cat([o, a], 1))
    return out[:, 0], F.softplus(torch.clamp(out[:, 1], min=FLOOR))


actor = mlp([OD, H, H, 2 * D])
q = mlp([OD + D, H, H, 2])
with torch.no_grad():
    q[-1].bias[1] = FLOOR  # raw sigma around the floor
    q[-1].weight[1].mul_(3)
qt = mlp([OD + D, H, H, 2])
qt.load_state_dict(q.state_dict())
opt_q = torch.optim.AdamW(q.parameters(), lr=LRQ, weight_decay=WD)
opt_p = torch.optim.AdamW(actor.parameters(), lr=LRP, weight_decay=WD)

obs, next_obs = torch.randn(B, OD), torch.randn(B, OD)
act = torch.rand(B, D) * 2 - 1
rew = torch.randn(B)
done = torch.tensor([0, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32)
discount = torch.tensor([0.99, 0.99, 0.9801, 0.99, 0.970299, 0.99, 0.99, 0.9801])
noise = [(torch.randn(B, D), torch.randn(B, D)) for _ in range(STEPS)]

f = open("tests/fixtures/offpolicy_stac.txt", "w")
write(f, "cfg", [OD, D, B, H, LRQ, LRP, TAU, WD, ALPHA0, BETA, FLOOR])
for name, t in zip(["obs", "act", "rew", "next_obs", "done", "discount"], [obs, act, rew, next_obs, done, discount]):
    write(f, "batch." + name, t)
for k, (e1, e2) in enumerate(noise):
    write(f, f"noise.eps_pi{k}", e1)
    write(f, f"noise.eps_next{k}", e2)
write_mlp(f, "init.actor", "pi", actor)
write_mlp(f, "init.critic", "q0", q)

alpha = ALPHA0
out = {"qloss": [], "aloss": [], "alpha": [], "entropy": [], "sigma": []}
floored = 0
for it in range(STEPS):
    eps_pi, eps_next = noise[it]
    with torch.no_grad():
        a_n, logp_n = policy(next_obs, eps_next)
        mu_t, sig_t = critic(qt, next_obs, a_n)
        y = rew + (1 - done) * discount * (mu_t - BETA * sig_t - alpha * logp_n)
    mu, sig = critic(q, obs, act)
    floored += int((q(torch.cat([obs, act], 1))[:, 1] < FLOOR).sum())
    qloss = -torch.distributions.Normal(mu, sig).log_prob(y).mean()
    opt_q.zero_grad()
    qloss.backward()
    opt_q.step()
    with torch.no_grad():
        for pt, p in zip(qt.parameters(), q.parameters()):
            pt.mul_(1 - TAU).add_(p, alpha=TAU)
    a, logp = policy(obs, eps_pi)
    mu_p, sig_p = critic(q, obs, a)
    aloss = (alpha * logp - mu_p + BETA * sig_p).mean()
    opt_p.zero_grad()
    aloss.backward()
    opt_p.step()
    entropy = -logp.detach().mean().item()
    out["qloss"].append(qloss.item())
    out["aloss"].append(aloss.item())
    out["alpha"].append(alpha)
    out["entropy"].append(entropy)
    out["sigma"].append(sig.detach().mean().item())
    alpha = alpha * math.exp(LRQ * alpha * (TARGET_ENTROPY - entropy))

for k, v in out.items():
    write(f, "out." + k, v)
write(f, "final.alpha.alpha", [alpha])
write_mlp(f, "final.actor", "pi", actor)
write_mlp(f, "final.critic", "q0", q)
write_mlp(f, "final.critic_targ", "q0", qt)
f.close()
print(f"offpolicy_stac.txt: {floored} raw sigmas below the floor over {STEPS} updates")
