"""acrl.train (the run of `acrl train`), acrl.load_policy (the actions of `acrl eval`),
Ctrl-C, and bad input."""
import os
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import acrl


@pytest.fixture(scope="module")
def cartpole_run(tmp_path_factory):
    """PPO on CartPole-v1 with the RL Zoo preset (100,000 steps), seed 0."""
    out = tmp_path_factory.mktemp("ppo") / "run"
    return acrl.train("ppo", "CartPole-v1", seed=0, out=out, quiet=True)


def test_ppo_cartpole_solved(cartpole_run):
    s = cartpole_run.summary
    print(f"PPO CartPole-v1 seed 0: eval return {s['eval_return_mean']} over {s['eval_episodes']} episodes")
    assert s["algo"] == "ppo" and s["env"] == "CartPole-v1" and s["steps"] >= 100000 and s["finished"]
    assert s["eval_return_mean"] >= 475
    assert os.path.exists(os.path.join(cartpole_run.run_dir, "final.ckpt"))


def episodes_return(policy, env_id, seed, episodes):
    env = acrl.make(env_id)
    total = []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        ret, done = 0.0, False
        while not done:
            obs, r, te, tr, _ = env.step(policy.act(obs))
            ret += r
            done = te or tr
        total.append(ret)
    return np.mean(total), np.std(total)


def cli_eval(acrl_bin, path, seed, episodes):
    out = subprocess.run([acrl_bin, "eval", str(path), "--episodes", str(episodes), "--seed", str(seed)],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"return mean (\S+)\s+std (\S+)", out)
    return float(m.group(1)), float(m.group(2))


def test_policy_acts_as_cli(cartpole_run, acrl_bin):
    p = acrl.load_policy(cartpole_run.run_dir)
    assert p.algo == "ppo" and p.env_id == "CartPole-v1" and p.action_space == acrl.spaces.Discrete(2)
    mean, std = episodes_return(p, "CartPole-v1", 100, 3)
    cmean, cstd = cli_eval(acrl_bin, cartpole_run.run_dir, 100, 3)
    assert f"{mean:.3f}" == f"{cmean:.3f}" and f"{std:.3f}" == f"{cstd:.3f}"
    # a batch gives the actions of one call per row
    obs = np.random.default_rng(0).uniform(-0.5, 0.5, (37, 4)).astype(np.float32)
    batch = p.act(obs)
    assert batch.dtype == np.int64 and batch.shape == (37,)
    assert [p.act(o) for o in obs] == list(batch)
    assert isinstance(p.act(obs[0]), int)


def test_policy_box_normalized(tmp_path, acrl_bin):
    """A Box policy with observation normalization: actions clipped to the bounds, the same
    returns as `acrl eval` on a run of a few iterations (the actions need not be good)."""
    run = acrl.train("ppo", "Pendulum-v1", steps=2048, out=tmp_path / "pend", quiet=True,
                     config={"normalize": True, "n_envs": 2, "n_steps": 512, "eval_freq": 0, "log_std_init": 1.0})
    p = acrl.load_policy(os.path.join(run.run_dir, "final.ckpt"))
    mean, std = episodes_return(p, "Pendulum-v1", 7, 2)
    cmean, cstd = cli_eval(acrl_bin, run.run_dir, 7, 2)
    assert f"{mean:.3f}" == f"{cmean:.3f}" and f"{std:.3f}" == f"{cstd:.3f}"
    obs = np.random.default_rng(1).uniform(-8, 8, (50, 3))
    a = p.act(obs, deterministic=False)
    assert a.shape == (50, 1) and a.dtype == np.float32 and a.min() >= -2 and a.max() <= 2
    assert p.act(obs[0]).shape == (1,)


def test_policy_bad_input(cartpole_run, tmp_path):
    p = acrl.load_policy(cartpole_run.run_dir)
    for bad in (np.zeros(3), np.zeros((2, 5)), np.zeros((2, 2, 4)), 1.0):
        with pytest.raises(ValueError, match=r"expected \(4,\) or \(N, 4\)"):
            p.act(bad)
    with pytest.raises(ValueError, match=r"shape \(4,\) or \(N, 4\), got dtype <U1"):
        p.act(np.array(["a"] * 4))
    assert p.act(np.zeros((0, 4))).shape == (0,)
    assert p.act([0.0, 0.0, 0.0, 0.0]) in (0, 1)
    with pytest.raises(ValueError, match="cannot open"):
        acrl.load_policy(tmp_path / "missing.ckpt")
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError):
        acrl.load_policy(junk)


def test_train_bad_input(tmp_path):
    with pytest.raises(ValueError, match="unknown algorithm 'ppq'"):
        acrl.train("ppq", "CartPole-v1", out=tmp_path / "a")
    with pytest.raises(ValueError, match="unknown env id 'Nope-v0'"):
        acrl.train("ppo", "Nope-v0", out=tmp_path / "b")
    with pytest.raises(ValueError, match="learning_rat"):
        acrl.train("ppo", "CartPole-v1", out=tmp_path / "c", config={"learning_rat": 1e-3})
    with pytest.raises(ValueError, match="n_steps"):
        acrl.train("ppo", "CartPole-v1", out=tmp_path / "d", config={"n_steps": -5})
    with pytest.raises(ValueError, match="steps"):
        acrl.train("ppo", "CartPole-v1", steps=0)
    with pytest.raises(ValueError, match="seed"):
        acrl.train("ppo", "CartPole-v1", seed=-1)
    with pytest.raises(ValueError, match="config must be a dict"):
        acrl.train("ppo", "CartPole-v1", config=["n_steps=5"])


def test_config_and_resume(tmp_path):
    """config keys arrive as --set does; resume continues a run to more steps."""
    run = acrl.train("a2c", "CartPole-v1", steps=1000, out=tmp_path / "r", quiet=True,
                     config={"n_envs": 2, "n_steps": 5, "net_arch": [16, 16], "normalize_advantage": True,
                             "eval_freq": 0})
    ini = open(os.path.join(run.run_dir, "config.ini")).read()
    assert re.search(r"^net_arch = 16,16$", ini, re.M) and re.search(r"^n_steps = 5$", ini, re.M)
    assert run.summary["steps"] == 1000
    again = acrl.train(None, None, steps=2000, resume=run.run_dir, quiet=True)
    assert again.run_dir == run.run_dir and again.summary["steps"] == 2000


def test_keyboard_interrupt(tmp_path):
    """SIGINT during acrl.train stops the run after the current iteration with last.ckpt
    written, and KeyboardInterrupt reaches the caller."""
    script = textwrap.dedent(f"""
        import os, signal, sys, threading, time
        import acrl
        out = {str(tmp_path / "int")!r}
        def interrupt():
            # under load the import and the run's start can take longer than any fixed
            # delay: signal once the run has started (its config.ini exists)
            for _ in range(6000):
                if os.path.exists(os.path.join(out, "config.ini")):
                    break
                time.sleep(0.05)
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=interrupt, daemon=True).start()
        t = time.time()
        try:
            acrl.train("ppo", "CartPole-v1", steps=50_000_000, out=out, quiet=True)
        except KeyboardInterrupt as e:
            print("interrupted after %.1f s: %s" % (time.time() - t, e))
            sys.exit(0)
        print("not interrupted")
        sys.exit(1)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "interrupted after" in r.stdout and "resume=" in r.stdout
    assert os.path.exists(tmp_path / "int" / "last.ckpt")
