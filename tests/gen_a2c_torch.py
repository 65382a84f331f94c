#!/usr/bin/python3
"""Reference values for tests/test_a2c_torch.c: whole A2C and synchronous A3C iterations
computed with PyTorch (float64) from the rollouts acrl trained on.

Run with Debian's interpreter (it has python3-torch), after building:
    /usr/bin/python3 tests/gen_a2c_torch.py [build/test_a2c_torch]
It runs the test with --dump (initial weights, configuration and every rollout's
observations, actions, rewards and episode ends), computes the updates itself and writes
tests/fixtures/{a2c_torch_discrete,a2c_torch_box,a2c_torch_adam,a3c_torch_sync}.txt.

The update follows Stable-Baselines3's A2C: GAE(lambda) returns from the collection-time
values (lambda = 1: n-step returns), terminated steps bootstrapping from 0 and time-limit
truncations from V(final observation); loss = -mean(A logp) - ent_coef mean(entropy)
+ vf_coef mean((V - R)^2), advantages optionally normalized over the rollout; global
grad-norm clipping; torch.optim.RMSprop (alpha 0.99) or torch.optim.Adam; learning rate lr0 (1 - progress)
for the linear schedule. Synchronous A3C: every worker's gradient is taken at the same
weights, then each is clipped and applied in worker order through one RMSprop.
"""
import os
import shutil
import sys

import torch

import onpolicy_ref as ref


def loss_and_grad(net, ro, cfg, gamma):
    """A2C loss of one rollout at the current weights; leaves its gradient in .grad."""
    adv, ret, _ = ref.advantages(net, ro, gamma, float(cfg["gae_lambda"]))
    obs, act = ro.obs.reshape(-1, ro.obs.shape[-1]), ro.act.reshape(ro.T * ro.obs.shape[1], *ro.act.shape[2:])
    adv, ret = adv.reshape(-1), ret.reshape(-1)
    if int(cfg["normalize_advantage"]):
        adv = ref.normalized(adv)
    logp, ent = net.logp_entropy(obs, act)
    v = net.value(obs)
    pg = -(adv * logp).mean()
    vl = ((v - ret) ** 2).mean()
    loss = pg - float(cfg["ent_coef"]) * ent.mean() + float(cfg["vf_coef"]) * vl
    for p in net.params():
        p.grad = None
    loss.backward()
    return [float(pg), float(vl), float(ent.mean())]


def case(name, dump_dir):
    cfg, arrays, order = ref.read(os.path.join(dump_dir, name + ".txt"))
    E, gamma = int(cfg["num_envs"]), float(cfg["gamma"])
    discrete, od, ad = ref.space(cfg, arrays, E)
    workers = int(cfg.get("n_workers", 1))
    net = ref.ActorCritic(arrays, "param.", cfg["activation"], discrete)
    if cfg["optimizer"] == "rmsprop":
        opt = torch.optim.RMSprop(net.params(), lr=float(cfg["learning_rate"]), alpha=0.99, eps=float(cfg["optim_eps"]))
    else:
        opt = torch.optim.Adam(net.params(), lr=float(cfg["learning_rate"]), eps=float(cfg["optim_eps"]))
    max_norm = float(cfg["max_grad_norm"])
    out = open(os.path.join(ref.HERE, "fixtures", name + ".txt"), "w")
    out.write("# %s from tests/gen_a2c_torch.py (torch %s)\n" % (name, torch.__version__))
    ref.write_inputs(out, cfg, arrays, order)
    it = 0
    while "it%d.progress" % it in arrays:
        progress = float(arrays["it%d.progress" % it][0])
        lr = ref.schedule(cfg, "lr_schedule", float(cfg["learning_rate"]), progress)
        for g in opt.param_groups:
            g["lr"] = lr
        # every worker's gradient at the same weights, then the updates in worker order
        grads, metrics = [], None
        for w in range(workers):
            ro = ref.Rollout(arrays, "it%d.w%d." % (it, w), E, od, ad, discrete)
            m = loss_and_grad(net, ro, cfg, gamma)
            grads.append([p.grad.clone() for p in net.params()])
            metrics = metrics or m
        for w in range(workers):
            for p, g in zip(net.params(), grads[w]):
                p.grad = g.clone()
            gn = ref.clip_grad(net.params(), max_norm)
            if w == 0:
                metrics.append(gn)
            opt.step()
        ref.write(out, "it%d.metrics" % it, metrics)
        net.write(out, "it%d.param." % it)
        theirs = [float(x) for x in arrays["it%d.c.metrics" % it]]
        print("  %s iteration %d: losses/grad norm acrl %s torch %s (max diff %.3e)" %
              (name, it, ["%.6g" % x for x in theirs], ["%.6g" % x for x in metrics], ref.maxdiff(theirs, metrics)))
        ref.compare_to_c(name, arrays, net, it)
        it += 1
    out.close()


if __name__ == "__main__":
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ref.HERE, "..", "build", "test_a2c_torch")
    d = ref.run_dump(binary)
    for n in ("a2c_torch_discrete", "a2c_torch_box", "a2c_torch_adam", "a3c_torch_sync"):
        case(n, d)
    shutil.rmtree(d)
