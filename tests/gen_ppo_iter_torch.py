#!/usr/bin/python3
"""Reference values for tests/test_ppo_iter_torch.c: whole PPO iterations computed with
PyTorch (float64) from the rollouts acrl trained on.

Run with Debian's interpreter (it has python3-torch and python3-numpy), after building:
    /usr/bin/python3 tests/gen_ppo_iter_torch.py [build/test_ppo_iter_torch]
It runs the test with --dump (initial weights, configuration, every rollout and the
learner's RNG state after each collection), computes the iterations itself and writes
tests/fixtures/ppo_iter_{discrete,box}.txt.

One iteration, as Stable-Baselines3's PPO.train() with CleanRL's clipped value loss:
GAE(lambda) advantages and returns from the collection-time values (terminated steps
bootstrap from 0, time-limit truncations from V(final observation)); learning rate and
clip range times (1 - progress) for the linear schedules; n_epochs passes over the
rollout, each in a fresh order and in minibatches of batch_size (the last one shorter);
per minibatch: advantages normalized (unbiased std + 1e-8), ratio = exp(logp - old_logp),
policy loss mean(max(-A ratio, -A clip(ratio, 1 - eps, 1 + eps))), value loss
mean(max((V - R)^2, (old_V + clip(V - old_V, -c, c) - R)^2)), loss = policy loss -
ent_coef mean(entropy) + vf_coef value loss; approx KL = mean((ratio - 1) - log ratio)
before the step, and when it exceeds 1.5 target_kl the iteration ends without that step;
else global grad-norm clipping and torch.optim.Adam.

The minibatch order is acrl's: the index list starts as 0..N-1 each iteration and is
shuffled in place each epoch by Fisher-Yates (i from N-1 down to 1, j uniform in [0, i]),
j drawn from the learner's PCG64 by Lemire's multiply-and-reject method; the PCG64 output
stream here is numpy's (the same generator), the index draws are reimplemented below.
"""
import os
import shutil
import sys

import numpy as np
import torch

import onpolicy_ref as ref

MASK64 = (1 << 64) - 1


class Shuffler:
    def __init__(self, words):
        hi, lo, inc_hi, inc_lo = (int(w) for w in words)
        self.bg = np.random.PCG64()
        self.bg.state = {"bit_generator": "PCG64", "state": {"state": (hi << 64) | lo, "inc": (inc_hi << 64) | inc_lo},
                         "has_uint32": 0, "uinteger": 0}

    def u64(self):
        return int(self.bg.random_raw())

    def below(self, n):
        m = self.u64() * n
        if (m & MASK64) < n:
            t = ((1 << 64) - n) % n
            while (m & MASK64) < t:
                m = self.u64() * n
        return m >> 64

    def shuffle(self, perm):
        for i in range(len(perm) - 1, 0, -1):
            j = self.below(i + 1)
            perm[i], perm[j] = perm[j], perm[i]


def iteration(net, opt, ro, cfg, gamma, progress, rng_words, name, it):
    f = lambda k: float(cfg[k])
    lr = ref.schedule(cfg, "lr_schedule", f("learning_rate"), progress)
    clip = ref.schedule(cfg, "clip_range_schedule", f("clip_range"), progress)
    for g in opt.param_groups:
        g["lr"] = lr
    adv, ret, old_v = ref.advantages(net, ro, gamma, f("gae_lambda"))
    obs = ro.obs.reshape(-1, ro.obs.shape[-1])
    act = ro.act.reshape(obs.shape[0], *ro.act.shape[2:])
    adv, ret, old_v = adv.reshape(-1), ret.reshape(-1), old_v.reshape(-1)
    with torch.no_grad():
        old_logp, _ = net.logp_entropy(obs, act)
    N, B = obs.shape[0], min(int(cfg["batch_size"]), obs.shape[0])
    shuffler, perm = Shuffler(rng_words), list(range(N))
    sums, n_updates, kls, vclipped = [0.0] * 6, 0, [], 0
    stop = False
    for epoch in range(int(cfg["n_epochs"])):
        shuffler.shuffle(perm)
        for start in range(0, N, B):
            idx = torch.tensor(perm[start:start + B])
            a = adv[idx]
            if int(cfg["normalize_advantage"]):
                a = ref.normalized(a)
            logp, ent = net.logp_entropy(obs[idx], act[idx])
            v = net.value(obs[idx])
            logratio = logp - old_logp[idx]
            ratio = logratio.exp()
            pg = torch.max(-a * ratio, -a * ratio.clamp(1 - clip, 1 + clip)).mean()
            vl = (v - ret[idx]) ** 2
            if f("clip_range_vf") > 0:
                cvf = f("clip_range_vf")
                v_clip = old_v[idx] + (v - old_v[idx]).clamp(-cvf, cvf)
                vl2 = (v_clip - ret[idx]) ** 2
                vclipped += int(((v - old_v[idx]).abs() > cvf).sum())
                vl = torch.max(vl, vl2)
            vl = vl.mean()
            approx_kl = float(((ratio - 1) - logratio).mean())
            kls.append(approx_kl)
            if f("target_kl") > 0 and approx_kl > 1.5 * f("target_kl"):
                stop = True
                break
            loss = pg - f("ent_coef") * ent.mean() + f("vf_coef") * vl
            opt.zero_grad()
            loss.backward()
            gn = ref.clip_grad(net.params(), f("max_grad_norm"))
            opt.step()
            clip_frac = float(((ratio - 1).abs() > clip).double().mean())
            for k, x in enumerate((float(pg), float(vl), float(ent.mean()), approx_kl, clip_frac, gn)):
                sums[k] += x
            n_updates += 1
        if stop:
            break
    print("  %s iteration %d: lr %.6g clip %.6g, %d minibatch updates, %d values outside the value clip range,"
          " approx KL per minibatch %s" % (name, it, lr, clip, n_updates, vclipped, " ".join("%.4g" % k for k in kls)))
    return [s / n_updates for s in sums] + [lr, n_updates]


def case(name, dump_dir):
    cfg, arrays, order = ref.read(os.path.join(dump_dir, name + ".txt"))
    E, gamma = int(cfg["num_envs"]), float(cfg["gamma"])
    discrete, od, ad = ref.space(cfg, arrays, E)
    net = ref.ActorCritic(arrays, "param.", cfg["activation"], discrete)
    opt = torch.optim.Adam(net.params(), lr=float(cfg["learning_rate"]), eps=float(cfg["adam_eps"]))
    out = open(os.path.join(ref.HERE, "fixtures", name + ".txt"), "w")
    out.write("# %s from tests/gen_ppo_iter_torch.py (torch %s, numpy %s)\n" % (name, torch.__version__, np.__version__))
    ref.write_inputs(out, cfg, arrays, order)
    it = 0
    while "it%d.progress" % it in arrays:
        progress = float(arrays["it%d.progress" % it][0])
        ro = ref.Rollout(arrays, "it%d.w0." % it, E, od, ad, discrete)
        metrics = iteration(net, opt, ro, cfg, gamma, progress, arrays["it%d.rng" % it], name, it)
        ref.write(out, "it%d.metrics" % it, metrics)
        net.write(out, "it%d.param." % it)
        theirs = [float(x) for x in arrays["it%d.c.metrics" % it]]
        print("  %s iteration %d: metrics acrl %s\n%s torch %s (max diff %.3e)" %
              (name, it, ["%.6g" % x for x in theirs], " " * (len(name) + 15), ["%.6g" % x for x in metrics],
               ref.maxdiff(theirs, metrics)))
        ref.compare_to_c(name, arrays, net, it)
        it += 1
    out.close()


if __name__ == "__main__":
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ref.HERE, "..", "build", "test_ppo_iter_torch")
    d = ref.run_dump(binary)
    for n in ("ppo_iter_discrete", "ppo_iter_box"):
        case(n, d)
    shutil.rmtree(d)
