#!/usr/bin/python3
"""Reference values for tests/test_dist.c from torch.distributions (torch 1.13).

Inputs are float32 (written exactly with 9 significant digits); references are
computed in float64 from those float32 values, gradients by autograd.
Writes tests/fixtures/dist_torch.txt: one array per line, `name count v0 v1 ...`.
Run with /usr/bin/python3 tests/gen_dist_torch.py from the repository root."""
import math
import os

import torch
import torch.nn.functional as F
from torch.distributions import Categorical, Normal

torch.manual_seed(1234)
out = []


def put(name, t, fmt="%.17g"):
    v = t.detach().reshape(-1).tolist()
    out.append("%s %d %s" % (name, len(v), " ".join(fmt % x for x in v)))


def grad(f, xs):
    return torch.autograd.grad(f, xs, retain_graph=True)


def inp(name, t):
    """Round to float32, record it, and return a float64 leaf requiring grad."""
    t32 = t.float()
    put(name, t32, "%.9g")
    return t32.double().requires_grad_(t32.is_floating_point())


# ---- categorical: B=4, K=5 ------------------------------------------------------
B, K = 4, 5
logits = inp("cat_logits", torch.randn(B, K) * 2.0)
act = torch.tensor([0, 3, 4, 2])
put("cat_act", act, "%d")
w = inp("cat_w", torch.randn(B)).detach()
dist = Categorical(logits=logits)
logp, ent = dist.log_prob(act), dist.entropy()
put("cat_logp", logp)
put("cat_ent", ent)
put("cat_probs", dist.probs)
put("cat_log_probs", F.log_softmax(logits, -1))
put("cat_dlogits_logp", grad((w * logp).sum(), logits)[0])
put("cat_dlogits_ent", grad((w * ent).sum(), logits)[0])
# discrete-SAC actor objective sum_a p_a (alpha log p_a - Q_a)
q = inp("cat_q", torch.randn(B, K)).detach()
alpha = 0.3
p, lp = F.softmax(logits, -1), F.log_softmax(logits, -1)
put("cat_dlogits_sac", grad((p * (alpha * lp - q)).sum(), logits)[0])

# ---- diagonal Gaussian, state-dependent log_std (B, D) ----------------------------
B, D = 3, 4
mean = inp("gauss_mean", torch.randn(B, D))
log_std = inp("gauss_log_std", torch.randn(B, D) * 0.5)
a = inp("gauss_act", torch.randn(B, D)).detach()
w = inp("gauss_w", torch.randn(B)).detach()
n = Normal(mean, log_std.exp())
logp, ent = n.log_prob(a).sum(-1), n.entropy().sum(-1)
put("gauss_logp", logp)
put("gauss_ent", ent)
dm, dls = grad((w * logp).sum(), [mean, log_std])
put("gauss_dmean_logp", dm)
put("gauss_dlog_std_logp", dls)
put("gauss_dlog_std_ent", grad((w * ent).sum(), log_std)[0])

# ---- diagonal Gaussian, shared free log_std (D) clamped to [-1, 0.5] --------------
ls_param = inp("gshared_log_std", torch.tensor([-1.7, -0.3, 0.2, 0.9]))
lo, hi = -1.0, 0.5
ls = ls_param.clamp(lo, hi).expand(B, D)
n = Normal(mean, ls.exp())
logp = n.log_prob(a).sum(-1)
ent = n.entropy().sum(-1)
put("gshared_logp", logp)
put("gshared_ent", ent)
dm, dls = grad((w * logp).sum() + 0.1 * ent.sum(), [mean, ls_param])
put("gshared_dmean", dm)
put("gshared_dlog_std", dls)

# ---- tanh-squashed Gaussian (SAC), log_std (B, D) clamped to [-5, 2] --------------
mean = inp("sq_mean", torch.tensor([[0.3, -1.2, 2.0, 0.0],
                                    [9.0, -0.4, 0.7, -11.0],
                                    [-0.5, 1.5, 0.1, 3.0]]))
ls_raw = inp("sq_log_std", torch.tensor([[-0.5, 0.3, -6.0, 0.1],
                                         [-1.0, 2.5, -0.2, -0.8],
                                         [0.4, -1.5, -0.9, 1.0]]))
eps = inp("sq_eps", torch.randn(B, D)).detach()
scale = inp("sq_act_scale", torch.tensor([1.0, 2.0, 0.5, 3.0])).detach()
bias = inp("sq_act_bias", torch.tensor([0.0, 1.0, -0.25, 0.5])).detach()
g_a = inp("sq_g_act", torch.randn(B, D)).detach()
g_lp = inp("sq_g_logp", torch.tensor([0.2, -0.7, 1.3])).detach()
std = ls_raw.clamp(-5.0, 2.0).exp()
u = mean + std * eps
act = bias + scale * torch.tanh(u)
log_1m_tanh2 = 2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))
logp = (Normal(mean, std).log_prob(u) - log_1m_tanh2 - torch.log(scale)).sum(-1)
put("sq_u", u)
put("sq_act", act)
put("sq_logp", logp)
dm, dls = grad((g_a * act).sum() + (g_lp * logp).sum(), [mean, ls_raw])
put("sq_dmean", dm)
put("sq_dlog_std", dls)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "dist_torch.txt")
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
print("wrote", path)
