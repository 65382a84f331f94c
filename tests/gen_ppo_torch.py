#!/usr/bin/python3
"""Reference values for tests/test_ppo_torch.c: PPO minibatch updates computed with PyTorch.

Run with Debian's interpreter (it has python3-torch): /usr/bin/python3 tests/gen_ppo_torch.py
Writes tests/fixtures/ppo_torch_{discrete,box}.txt: one array per line, "name count v1 v2 ...".

The update follows Stable-Baselines3 (value loss = vf_coef * mean squared error) with the
OpenAI-Baselines/CleanRL clipped value loss (max of clipped and unclipped squared errors),
per-minibatch advantage normalization (unbiased std + 1e-8), entropy bonus, global
grad-norm clipping (torch.nn.utils.clip_grad_norm_) and Adam (eps 1e-5). Linear weights are
written transposed, (in, out), which is acrl's layout.
"""
import os
import torch

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))

OBS, HID, B = 4, 8, 16
CFG = dict(clip=0.2, clip_vf=0.3, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5, lr=3e-3, eps=1e-5)


def mlp(out):
    return torch.nn.Sequential(torch.nn.Linear(OBS, HID), torch.nn.Tanh(), torch.nn.Linear(HID, HID),
                               torch.nn.Tanh(), torch.nn.Linear(HID, out))


def write(f, name, t):
    v = t.detach().reshape(-1).tolist()
    f.write("%s %d %s\n" % (name, len(v), " ".join("%.9g" % x for x in v)))


def write_net(f, prefix, net):
    for l, idx in enumerate((0, 2, 4)):
        write(f, "%s.%d.w" % (prefix, l), net[idx].weight.t())
        write(f, "%s.%d.b" % (prefix, l), net[idx].bias)


def case(name, discrete):
    A = 3 if discrete else 2
    pi, vf = mlp(A), mlp(1)
    log_std = torch.nn.Parameter(torch.full((A,), -0.3)) if not discrete else None
    params = list(pi.parameters()) + list(vf.parameters()) + ([log_std] if log_std is not None else [])
    obs = torch.randn(B, OBS)
    with torch.no_grad():
        if discrete:
            dist = torch.distributions.Categorical(logits=pi(obs))
            act = dist.sample()
        else:
            dist = torch.distributions.Normal(pi(obs), log_std.exp())
            act = dist.sample()
        old_logp = dist.log_prob(act) if discrete else dist.log_prob(act).sum(-1)
        old_logp = old_logp + 0.3 * torch.randn(B)      # behaviour policy differs: ratios != 1
        old_v = vf(obs).squeeze(-1) + 0.5 * torch.randn(B)
        adv = torch.randn(B) * 2 + 0.3
        ret = old_v + adv + 0.2 * torch.randn(B)
    opt = torch.optim.Adam(params, lr=CFG["lr"], eps=CFG["eps"])
    with open(os.path.join(HERE, "fixtures", "ppo_torch_%s.txt" % name), "w") as f:
        f.write("# PPO minibatch updates from tests/gen_ppo_torch.py (torch %s)\n" % torch.__version__)
        write(f, "config", torch.tensor([OBS, HID, A, B, int(discrete), CFG["clip"], CFG["clip_vf"], CFG["ent_coef"],
                                          CFG["vf_coef"], CFG["max_grad_norm"], CFG["lr"], CFG["eps"]], dtype=torch.float64))
        write_net(f, "pi", pi)
        write_net(f, "vf", vf)
        if log_std is not None:
            write(f, "log_std", log_std)
        write(f, "obs", obs)
        write(f, "act", act.float())
        write(f, "old_logp", old_logp)
        write(f, "old_v", old_v)
        write(f, "adv", adv)
        write(f, "ret", ret)
        for step in range(3):   # three updates on the same minibatch
            logits = pi(obs)
            if discrete:
                d = torch.distributions.Categorical(logits=logits)
                logp, ent = d.log_prob(act), d.entropy()
            else:
                d = torch.distributions.Normal(logits, log_std.exp())
                logp, ent = d.log_prob(act).sum(-1), d.entropy().sum(-1)
            v = vf(obs).squeeze(-1)
            a = (adv - adv.mean()) / (adv.std() + 1e-8)
            ratio = (logp - old_logp).exp()
            pg = torch.max(-a * ratio, -a * ratio.clamp(1 - CFG["clip"], 1 + CFG["clip"])).mean()
            v_clip = old_v + (v - old_v).clamp(-CFG["clip_vf"], CFG["clip_vf"])
            vl = torch.max((v - ret) ** 2, (v_clip - ret) ** 2).mean()
            loss = pg - CFG["ent_coef"] * ent.mean() + CFG["vf_coef"] * vl
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(params, CFG["max_grad_norm"])
            write(f, "step%d.losses" % step, torch.stack([pg, vl, ent.mean(), gn]))
            opt.step()
            write_net(f, "step%d.pi" % step, pi)
            write_net(f, "step%d.vf" % step, vf)
            if log_std is not None:
                write(f, "step%d.log_std" % step, log_std)


case("discrete", True)
case("box", False)
