"""Writes tests/fixtures/offpolicy_{sac,sacd,td3,ddpg,sac_lag}.txt: one full update of each off-policy
algorithm done in PyTorch (float32) from fixed weights, a fixed batch and fixed noise, for
tests/test_offpolicy_torch.c. Run from the repository root with Debian's python:

    /usr/bin/python3 tests/gen_offpolicy_torch.py

The updates follow the papers in Stable-Baselines3's order:
  SAC (Haarnoja et al. 2018): temperature step with the current policy's log-probs, soft TD
      target with the pre-update temperature and the twin target critics' minimum, critic
      step on 0.5 * sum of MSEs, actor step through the updated critics, Polyak update.
  Discrete SAC (Christodoulou 2019): the same with expectations over all actions.
  TD3 (Fujimoto et al. 2018): smoothed target actions, clipped double-Q target, critic step on
      the sum of MSEs; a first update without and a second with the delayed actor step, which
      is followed by Polyak updates of both targets.
  DDPG: one critic, no smoothing, actor step every update.
  SAC-Lagrangian (OmniSafe's SACLag): SAC's update, then a cost critic step on the MSE to
      c + gamma^m (1 - d) Q_c'(s', tanh(mean(s'))) with its Polyak step, and the actor loss
      (alpha log pi - min Q + lambda Q_c) / (1 + lambda) through the updated cost critic.

Each fixture is a list of records "name count" followed by count floats (%.9g). Weights are
written in acrl's layout: linear weights (in, out), PyTorch's transposed; the SAC actor's mean
and log-std heads side by side as one (hidden, 2D) layer."""
import math

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OD, D, K, B, H = 3, 2, 3, 8, 16
LR, TAU = 3e-3, 0.05


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


def linears(net):
    return [m for m in net if isinstance(m, torch.nn.Linear)]


def write_mlp(f, prefix, name, net):
    for l, lin in enumerate(linears(net)):
        write(f, f"{prefix}.{name}.{l}.w", lin.weight.t())
        write(f, f"{prefix}.{name}.{l}.b", lin.bias)


def write_critics(f, prefix, qs):
    for i, q in enumerate(qs):
        write_mlp(f, prefix, f"q{i}", q)


def polyak(target, online):
    with torch.no_grad():
        for pt, p in zip(target.parameters(), online.parameters()):
            pt.mul_(1 - TAU).add_(p, alpha=TAU)


def make_batch(discrete):
    obs = torch.randn(B, OD)
    next_obs = torch.randn(B, OD)
    act = torch.randint(0, K, (B, 1)).float() if discrete else torch.rand(B, D) * 2 - 1
    rew = torch.randn(B)
    done = torch.tensor([0, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32)
    discount = torch.tensor([0.99, 0.99, 0.9801, 0.99, 0.970299, 0.99, 0.99, 0.9801])
    return obs, act, rew, next_obs, done, discount


def write_batch(f, batch):
    for name, t in zip(["obs", "act", "rew", "next_obs", "done", "discount"], batch):
        write(f, "batch." + name, t)


def gen_sac(lam=None):
    alpha0, target_entropy = 0.5, -float(D)
    latent = torch.nn.Sequential(torch.nn.Linear(OD, H), torch.nn.ReLU(), torch.nn.Linear(H, H), torch.nn.ReLU())
    mu, lsh = torch.nn.Linear(H, D), torch.nn.Linear(H, D)
    with torch.no_grad():
        lsh.bias.fill_(-0.5)
    qs = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    qts = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    for qt, q in zip(qts, qs):
        qt.load_state_dict(q.state_dict())
    log_alpha = torch.tensor([math.log(alpha0)], requires_grad=True)
    actor_params = list(latent.parameters()) + list(mu.parameters()) + list(lsh.parameters())
    opt_actor = torch.optim.Adam(actor_params, lr=LR)
    opt_critic = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LR)
    opt_alpha = torch.optim.Adam([log_alpha], lr=LR)
    batch = make_batch(False)
    obs, act, rew, next_obs, done, discount = batch
    eps_pi, eps_next = torch.randn(B, D), torch.randn(B, D)

    def write_actor(f, prefix):
        lins = linears(latent)
        for l, lin in enumerate(lins):
            write(f, f"{prefix}.pi.{l}.w", lin.weight.t())
            write(f, f"{prefix}.pi.{l}.b", lin.bias)
        write(f, f"{prefix}.pi.2.w", torch.cat([mu.weight.t(), lsh.weight.t()], dim=1))
        write(f, f"{prefix}.pi.2.b", torch.cat([mu.bias, lsh.bias]))

    def policy(o, eps):
        lat = latent(o)
        mean, log_std = mu(lat), torch.clamp(lsh(lat), -20, 2)
        std = log_std.exp()
        u = mean + std * eps
        a = torch.tanh(u)
        gauss = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        # log(1 - tanh(u)^2) in the stable form 2 (log 2 - u - softplus(-2u))
        logp = gauss - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
        return a, logp

    if lam is not None:
        qc, qct = mlp([OD + D, H, H, 1]), mlp([OD + D, H, H, 1])
        qct.load_state_dict(qc.state_dict())
        opt_cost = torch.optim.Adam(qc.parameters(), lr=LR)
        cost = torch.rand(B) * 2
    f = open("tests/fixtures/offpolicy_sac%s.txt" % ("" if lam is None else "_lag"), "w")
    write(f, "cfg", [OD, D, B, H, LR, TAU, alpha0, target_entropy])
    write_batch(f, batch)
    if lam is not None:
        write(f, "batch.cost", cost)
        write(f, "lambda", [lam])
        write_mlp(f, "init.cost", "qc", qc)
    write(f, "noise.eps_pi", eps_pi)
    write(f, "noise.eps_next", eps_next)
    write_actor(f, "init.actor")
    write_critics(f, "init.critic", qs)

    a_pi, logp = policy(obs, eps_pi)
    alpha = log_alpha.detach().exp()
    alpha_loss = -(log_alpha * (logp + target_entropy).detach()).mean()
    opt_alpha.zero_grad()
    alpha_loss.backward()
    opt_alpha.step()
    with torch.no_grad():
        a_n, logp_n = policy(next_obs, eps_next)
        qn = torch.min(qts[0](torch.cat([next_obs, a_n], 1)), qts[1](torch.cat([next_obs, a_n], 1))).squeeze(1)
        y = rew + (1 - done) * discount * (qn - alpha * logp_n)
    critic_loss = 0.5 * sum(F.mse_loss(q(torch.cat([obs, act], 1)).squeeze(1), y) for q in qs)
    opt_critic.zero_grad()
    critic_loss.backward()
    opt_critic.step()
    qpi = torch.cat([q(torch.cat([obs, a_pi], 1)) for q in qs], dim=1)
    min_q, _ = torch.min(qpi, dim=1)
    actor_loss = (alpha * logp - min_q).mean()
    if lam is not None:
        with torch.no_grad():
            mean_n = mu(latent(next_obs))
            yc = cost + (1 - done) * discount * qct(torch.cat([next_obs, torch.tanh(mean_n)], 1)).squeeze(1)
        cost_loss = F.mse_loss(qc(torch.cat([obs, act], 1)).squeeze(1), yc)
        opt_cost.zero_grad()
        cost_loss.backward()
        opt_cost.step()
        polyak(qct, qc)
        qc_pi = qc(torch.cat([obs, a_pi], 1)).squeeze(1)
        actor_loss = (alpha * logp - min_q + lam * qc_pi).mean() / (1 + lam)
    opt_actor.zero_grad()
    actor_loss.backward()
    opt_actor.step()
    for qt, q in zip(qts, qs):
        polyak(qt, q)

    write(f, "out.alpha", alpha)
    write(f, "out.critic_loss", critic_loss)
    write(f, "out.actor_loss", actor_loss)
    write(f, "out.entropy", -logp.mean())
    write(f, "final.alpha.log_alpha", log_alpha)
    write_actor(f, "final.actor")
    write_critics(f, "final.critic", qs)
    write_critics(f, "final.critic_targ", qts)
    if lam is not None:
        write(f, "out.cost_loss", cost_loss)
        write_mlp(f, "final.cost", "qc", qc)
        write_mlp(f, "final.cost_targ", "qc", qct)
    f.close()


def gen_sacd():
    alpha0, ratio = 0.3, 0.5
    target_entropy = ratio * math.log(K)
    actor = mlp([OD, H, H, K])
    qs = [mlp([OD, H, H, K]) for _ in range(2)]
    qts = [mlp([OD, H, H, K]) for _ in range(2)]
    for qt, q in zip(qts, qs):
        qt.load_state_dict(q.state_dict())
    log_alpha = torch.tensor([math.log(alpha0)], requires_grad=True)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=LR)
    opt_critic = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LR)
    opt_alpha = torch.optim.Adam([log_alpha], lr=LR)
    batch = make_batch(True)
    obs, act, rew, next_obs, done, discount = batch
    f = open("tests/fixtures/offpolicy_sacd.txt", "w")
    write(f, "cfg", [OD, K, B, H, LR, TAU, alpha0, ratio])
    write_batch(f, batch)
    write_mlp(f, "init.actor", "pi", actor)
    write_critics(f, "init.critic", qs)

    logits = actor(obs)
    probs, logp = F.softmax(logits, -1), F.log_softmax(logits, -1)
    neg_entropy = (probs * logp).sum(-1)
    alpha = log_alpha.detach().exp()
    alpha_loss = -(log_alpha * (neg_entropy + target_entropy).detach()).mean()
    opt_alpha.zero_grad()
    alpha_loss.backward()
    opt_alpha.step()
    with torch.no_grad():
        ln = actor(next_obs)
        pn, lpn = F.softmax(ln, -1), F.log_softmax(ln, -1)
        qn = torch.min(qts[0](next_obs), qts[1](next_obs))
        v = (pn * (qn - alpha * lpn)).sum(-1)
        y = rew + (1 - done) * discount * v
    idx = act.long()
    critic_loss = 0.5 * sum(F.mse_loss(q(obs).gather(1, idx).squeeze(1), y) for q in qs)
    opt_critic.zero_grad()
    critic_loss.backward()
    opt_critic.step()
    with torch.no_grad():
        min_q = torch.min(qs[0](obs), qs[1](obs))
    actor_loss = (probs * (alpha * logp - min_q)).sum(-1).mean()
    opt_actor.zero_grad()
    actor_loss.backward()
    opt_actor.step()
    for qt, q in zip(qts, qs):
        polyak(qt, q)

    write(f, "out.alpha", alpha)
    write(f, "out.critic_loss", critic_loss)
    write(f, "out.actor_loss", actor_loss)
    write(f, "out.entropy", -neg_entropy.mean())
    write(f, "final.alpha.log_alpha", log_alpha)
    write_mlp(f, "final.actor", "pi", actor)
    write_critics(f, "final.critic", qs)
    write_critics(f, "final.critic_targ", qts)
    f.close()


def gen_td3(name, n_critics, smoothing, delayed):
    noise, clip = (0.2, 0.5) if smoothing else (0.0, 0.0)
    actor = mlp([OD, H, H, D])
    actor_t = mlp([OD, H, H, D])
    actor_t.load_state_dict(actor.state_dict())
    qs = [mlp([OD + D, H, H, 1]) for _ in range(n_critics)]
    qts = [mlp([OD + D, H, H, 1]) for _ in range(n_critics)]
    for qt, q in zip(qts, qs):
        qt.load_state_dict(q.state_dict())
    opt_actor = torch.optim.Adam(actor.parameters(), lr=LR)
    opt_critic = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LR)
    batch = make_batch(False)
    obs, act, rew, next_obs, done, discount = batch
    steps = [False, True] if delayed else [True]
    eps = [torch.randn(B, D) * 2 for _ in steps]  # * 2: some noise gets clipped
    f = open(f"tests/fixtures/offpolicy_{name}.txt", "w")
    write(f, "cfg", [OD, D, B, H, LR, TAU, noise, clip])
    write_batch(f, batch)
    for k, e in enumerate(eps):
        write(f, f"noise.eps{k}", e)
    write_mlp(f, "init.actor", "pi", actor)
    write_critics(f, "init.critic", qs)
    qloss, aloss = [], None
    for k, actor_step in enumerate(steps):
        with torch.no_grad():
            n = (eps[k] * noise).clamp(-clip, clip)
            a_n = (torch.tanh(actor_t(next_obs)) + n).clamp(-1, 1)
            qn = torch.cat([qt(torch.cat([next_obs, a_n], 1)) for qt in qts], dim=1)
            qn, _ = torch.min(qn, dim=1)
            y = rew + (1 - done) * discount * qn
        critic_loss = sum(F.mse_loss(q(torch.cat([obs, act], 1)).squeeze(1), y) for q in qs)
        opt_critic.zero_grad()
        critic_loss.backward()
        opt_critic.step()
        qloss.append(critic_loss.item())
        if actor_step:
            actor_loss = -qs[0](torch.cat([obs, torch.tanh(actor(obs))], 1)).mean()
            opt_actor.zero_grad()
            actor_loss.backward()
            opt_actor.step()
            aloss = actor_loss
            for qt, q in zip(qts, qs):
                polyak(qt, q)
            polyak(actor_t, actor)
    write(f, "out.critic_loss", qloss)
    write(f, "out.actor_loss", aloss)
    write_mlp(f, "final.actor", "pi", actor)
    write_mlp(f, "final.actor_targ", "pi", actor_t)
    write_critics(f, "final.critic", qs)
    write_critics(f, "final.critic_targ", qts)
    f.close()


gen_sac()
gen_sacd()
gen_td3("td3", 2, True, True)
gen_td3("ddpg", 1, False, False)
gen_sac(lam=0.7)
