"""Writes tests/fixtures/seq_sac.txt: one full update of SAC with action_sequence = K (SRL, Patel &
Siegelmann 2024) done in PyTorch (float32) from fixed weights, a fixed batch and fixed noise, for
tests/test_seq.c. Run from the repository root with Debian's python:

    /usr/bin/python3 tests/gen_seq_torch.py

The update, in acrl's order (SAC's, Stable-Baselines3's, with SRL's sequence actor and model):
  1. the actor's K tanh-Gaussians at s: actions a_j and log-densities log pi_j (noise eps_pi);
     the temperature step on -(log alpha (mean_{b,j} log pi_j + target_entropy));
  2. the intermediate states s_0 = s, s_{j+1} = model'(s_j, a_j) of the target model (no gradient);
  3. the soft TD target from the first action of the sequence at s' (noise eps_next) with the
     twin target critics and the pre-update temperature; critic step on 0.5 * sum of MSEs;
  4. the model's step on mean((model(s, a) - s')^2);
  5. the actor step on sum_j mean_b(alpha log pi_j - min_i Q_i(s_j, a_j)) through the updated critics;
  6. Polyak updates of the target critics and of the target model.

Records "name count" then count floats (%.9g); linear weights in acrl's layout (in, out); the
actor's head is one (hidden, K * 2D) layer whose output row holds [mean_0 | log_std_0 | mean_1 |
log_std_1 | ...]."""
import math

import torch
import torch.nn.functional as F

torch.manual_seed(4321)
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


def write_mlp(f, prefix, name, net):
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    for l, lin in enumerate(lins):
        write(f, f"{prefix}.{name}.{l}.w", lin.weight.t())
        write(f, f"{prefix}.{name}.{l}.b", lin.bias)


def polyak(target, online):
    with torch.no_grad():
        for pt, p in zip(target.parameters(), online.parameters()):
            pt.mul_(1 - TAU).add_(p, alpha=TAU)


def policy(actor, o, eps):
    """eps (N, K', D): the first K' of the K actions; returns a (N, K', D), log pi (N, K')."""
    head = actor(o).reshape(o.shape[0], K, 2 * D)[:, : eps.shape[1]]
    mean, log_std = head[..., :D], torch.clamp(head[..., D:], -20, 2)
    u = mean + log_std.exp() * eps
    gauss = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
    logp = gauss - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
    return torch.tanh(u), logp


def main():
    alpha0, target_entropy = 0.5, -float(D)
    actor = mlp([OD, H, H, K * 2 * D])
    with torch.no_grad():  # log-stds around -0.5, different per action of the sequence
        actor[-1].bias.view(K, 2 * D)[:, D:] = torch.tensor([-0.5, -0.2, -0.8]).unsqueeze(1)
    qs = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    qts = [mlp([OD + D, H, H, 1]) for _ in range(2)]
    for qt, q in zip(qts, qs):
        qt.load_state_dict(q.state_dict())
    model, model_t = mlp([OD + D, H, H, OD]), mlp([OD + D, H, H, OD])
    model_t.load_state_dict(model.state_dict())
    log_alpha = torch.tensor([math.log(alpha0)], requires_grad=True)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=LR)
    opt_critic = torch.optim.Adam([p for q in qs for p in q.parameters()], lr=LR)
    opt_model = torch.optim.Adam(model.parameters(), lr=LR)
    opt_alpha = torch.optim.Adam([log_alpha], lr=LR)
    obs, next_obs = torch.randn(B, OD), torch.randn(B, OD)
    act = torch.rand(B, D) * 2 - 1
    rew = torch.randn(B)
    done = torch.tensor([0, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32)
    discount = torch.tensor([0.99, 0.99, 0.9801, 0.99, 0.970299, 0.99, 0.99, 0.9801])
    eps_pi, eps_next = torch.randn(B, K, D), torch.randn(B, 1, D)

    f = open("tests/fixtures/seq_sac.txt", "w")
    write(f, "cfg", [OD, D, K, B, H, LR, TAU, alpha0, target_entropy])
    for name, t in zip(["obs", "act", "rew", "next_obs", "done", "discount"], [obs, act, rew, next_obs, done, discount]):
        write(f, "batch." + name, t)
    write(f, "noise.eps_pi", eps_pi)
    write(f, "noise.eps_next", eps_next)
    write_mlp(f, "init.actor", "pi", actor)
    for i, q in enumerate(qs):
        write_mlp(f, "init.critic", f"q{i}", q)
    write_mlp(f, "init.model", "model", model)

    a_pi, logp = policy(actor, obs, eps_pi)  # (B, K, D), (B, K)
    with torch.no_grad():  # SRL's temporal recall: intermediate states from the target model
        states = [obs]
        for j in range(K - 1):
            states.append(model_t(torch.cat([states[-1], a_pi[:, j]], 1)))
    alpha = log_alpha.detach().exp()
    alpha_loss = -(log_alpha * (logp.mean(1) + target_entropy).detach()).mean()
    opt_alpha.zero_grad()
    alpha_loss.backward()
    opt_alpha.step()
    with torch.no_grad():
        a_n, logp_n = policy(actor, next_obs, eps_next)
        a_n, logp_n = a_n[:, 0], logp_n[:, 0]
        sa_n = torch.cat([next_obs, a_n], 1)
        qn = torch.min(qts[0](sa_n), qts[1](sa_n)).squeeze(1)
        y = rew + (1 - done) * discount * (qn - alpha * logp_n)
    critic_loss = 0.5 * sum(F.mse_loss(q(torch.cat([obs, act], 1)).squeeze(1), y) for q in qs)
    opt_critic.zero_grad()
    critic_loss.backward()
    opt_critic.step()
    model_loss = F.mse_loss(model(torch.cat([obs, act], 1)), next_obs)
    opt_model.zero_grad()
    model_loss.backward()
    opt_model.step()
    actor_loss = 0
    for j in range(K):
        sa = torch.cat([states[j], a_pi[:, j]], 1)
        min_q = torch.min(qs[0](sa), qs[1](sa)).squeeze(1)
        actor_loss = actor_loss + (alpha * logp[:, j] - min_q).mean()
    opt_actor.zero_grad()
    actor_loss.backward()
    opt_actor.step()
    for qt, q in zip(qts, qs):
        polyak(qt, q)
    polyak(model_t, model)

    write(f, "out.alpha", alpha)
    write(f, "out.critic_loss", critic_loss)
    write(f, "out.actor_loss", actor_loss)
    write(f, "out.entropy", -logp.mean())
    write(f, "out.model_loss", model_loss)
    write(f, "final.alpha.log_alpha", log_alpha)
    write_mlp(f, "final.actor", "pi", actor)
    for i, q in enumerate(qs):
        write_mlp(f, "final.critic", f"q{i}", q)
    for i, q in enumerate(qts):
        write_mlp(f, "final.critic_targ", f"q{i}", q)
    write_mlp(f, "final.model", "model", model)
    write_mlp(f, "final.model_targ", "model", model_t)
    f.close()


if __name__ == "__main__":
    main()
