"""Shared by tests/gen_a2c_torch.py and tests/gen_ppo_iter_torch.py: reading the inputs
that a C test writes with --dump (see tests/onpolicy_ref.h), the actor-critic network in
PyTorch (float64), returns and advantages, and writing fixtures.

Files hold one array per line, "name count v1 v2 ...", and '#' comment lines; "#set
key=value" lines give a case's configuration. Linear weights are stored (in, out), which
is acrl's layout: the forward pass here is x @ W + b.
"""
import math
import os
import subprocess
import tempfile

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def run_dump(binary):
    """Runs the C test with --dump into a temporary folder; returns the folder."""
    out = tempfile.mkdtemp(prefix="acrl-dump-")
    subprocess.run([os.path.abspath(binary), "--dump", out], cwd=HERE, check=True)
    return out


def read(path):
    cfg, arrays, order = {}, {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("#set "):
                k, v = line[5:].strip().split("=", 1)
                cfg[k] = v
                continue
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            name, n = parts[0], int(parts[1])
            assert len(parts) == n + 2, name
            arrays[name] = parts[2:]
            order.append(name)
    return cfg, arrays, order


def floats(arrays, name):
    return torch.tensor([float(x) for x in arrays[name]])


def write(f, name, t):
    v = t.detach().reshape(-1).tolist() if torch.is_tensor(t) else list(t)
    f.write("%s %d %s\n" % (name, len(v), " ".join("%.9g" % x for x in v)))


class ActorCritic:
    """Separate policy and value MLPs as acrl builds them ("pi.L.w/b", "vf.L.w/b",
    "log_std" for Box actions), loaded from "<prefix><tensor>" arrays."""

    def __init__(self, arrays, prefix, activation, discrete):
        self.names = [n[len(prefix):] for n in arrays if n.startswith(prefix)]
        self.t = {}
        for n in self.names:
            self.t[n] = torch.nn.Parameter(floats(arrays, prefix + n))
        self.depth = sum(1 for n in self.names if n.startswith("pi.") and n.endswith(".w"))
        for net in ("pi", "vf"):
            for l in range(self.depth):
                w, b = self.t["%s.%d.w" % (net, l)], self.t["%s.%d.b" % (net, l)]
                fan_out = b.numel()
                self.t["%s.%d.w" % (net, l)] = torch.nn.Parameter(w.detach().reshape(-1, fan_out))
        self.act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
        self.discrete = discrete

    def params(self):
        return [self.t[n] for n in self.names]

    def mlp(self, net, x):
        for l in range(self.depth):
            x = x @ self.t["%s.%d.w" % (net, l)] + self.t["%s.%d.b" % (net, l)]
            if l < self.depth - 1:
                x = self.act(x)
        return x

    def value(self, obs):
        return self.mlp("vf", obs).squeeze(-1)

    def dist(self, obs):
        head = self.mlp("pi", obs)
        if self.discrete:
            return torch.distributions.Categorical(logits=head)
        return torch.distributions.Normal(head, self.t["log_std"].exp())

    def logp_entropy(self, obs, act):
        d = self.dist(obs)
        if self.discrete:
            return d.log_prob(act.long()), d.entropy()
        return d.log_prob(act).sum(-1), d.entropy().sum(-1)

    def write(self, f, prefix):
        for n in self.names:
            write(f, prefix + n, self.t[n])


class Rollout:
    """One recorded rollout "<prefix>obs" etc. of T steps x E copies, time-major."""

    def __init__(self, arrays, prefix, E, od, ad, discrete):
        self.obs = floats(arrays, prefix + "obs").reshape(-1, E, od)
        self.T = self.obs.shape[0]
        self.act = floats(arrays, prefix + "act").reshape(self.T, E, ad)
        if discrete:
            self.act = self.act.squeeze(-1)
        self.rew = floats(arrays, prefix + "rew").reshape(self.T, E)
        self.term = floats(arrays, prefix + "term").reshape(self.T, E) != 0
        self.trunc = floats(arrays, prefix + "trunc").reshape(self.T, E) != 0
        self.final_obs = floats(arrays, prefix + "final_obs").reshape(self.T, E, od)
        self.last_obs = floats(arrays, prefix + "last_obs").reshape(E, od)


def advantages(net, ro, gamma, lam):
    """GAE(lambda) advantages and returns (T, E) with the current weights' values:
    terminated steps bootstrap from 0, truncated ones from V(final observation), and
    neither carries the advantage of the next episode back."""
    with torch.no_grad():
        v = net.value(ro.obs)
        v_final = net.value(ro.final_obs)
        v_last = net.value(ro.last_obs)
    T, E = ro.rew.shape
    adv = torch.zeros(T, E)
    for e in range(E):
        carry = 0.0
        for t in reversed(range(T)):
            nxt = v_last[e] if t == T - 1 else v[t + 1, e]
            if ro.term[t, e]:
                boot, carry = 0.0, 0.0
            elif ro.trunc[t, e]:
                boot, carry = v_final[t, e], 0.0
            else:
                boot = nxt
            delta = ro.rew[t, e] + gamma * boot - v[t, e]
            adv[t, e] = delta + gamma * lam * carry
            carry = adv[t, e]
    return adv, adv + v, v


def normalized(x):
    return (x - x.mean()) / (x.std() + 1e-8) if x.numel() > 1 else x


def clip_grad(params, max_norm):
    """torch.nn.utils.clip_grad_norm_; returns the norm before clipping."""
    return float(torch.nn.utils.clip_grad_norm_(params, max_norm if max_norm > 0 else math.inf))


def schedule(cfg, key, value, progress):
    return value * max(0.0, 1.0 - progress) if cfg.get(key, "constant") == "linear" else value


def space(cfg, arrays, E):
    """(discrete, obs_dim, act_dim) of the case's env from the recorded arrays."""
    discrete = cfg["env"] == "CartPole-v1"
    od = len(arrays["it0.w0.last_obs"]) // E
    ad = 1 if discrete else len(arrays["param.log_std"])
    return discrete, od, ad


def maxdiff(a, b):
    return max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(a, b))


def compare_to_c(f_name, arrays, net, it):
    """Largest difference between acrl's parameters after iteration it (from the dump) and ours."""
    worst = 0.0
    for n in net.names:
        ours = net.t[n].detach().reshape(-1).tolist()
        theirs = [float(x) for x in arrays["it%d.c.param.%s" % (it, n)]]
        worst = max(worst, maxdiff(theirs, ours))
    print("  %s iteration %d: max parameter difference acrl vs torch %.3e" % (f_name, it, worst))
    return worst


def write_inputs(f, cfg, arrays, order):
    """The case's configuration and recorded inputs (not acrl's results) into a fixture."""
    for k, v in cfg.items():
        f.write("#set %s=%s\n" % (k, v))
    for n in order:
        if ".c." in n:
            continue
        f.write("%s %d %s\n" % (n, len(arrays[n]), " ".join(arrays[n])))
