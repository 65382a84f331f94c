"""acrl.make: spaces, reset/step conventions, the transitions of `acrl rollout`, bad input."""
import subprocess

import numpy as np
import pytest

import acrl


def rollout_rows(acrl_bin, env_id, seed, actions, tmp_path):
    """`acrl rollout ENV --seed S --actions FILE` as rows of floats (reset row first)."""
    f = tmp_path / "actions.txt"
    f.write_text("".join((",".join(f"{x:.9g}" for x in np.atleast_1d(a)) if not isinstance(a, int) else str(a))
                         + "\n" for a in actions))
    out = subprocess.run([acrl_bin, "rollout", env_id, "--seed", str(seed), "--actions", str(f)],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    return [line.split(",") for line in out[1:]]


def test_spaces_and_reset():
    env = acrl.make("CartPole-v1")
    assert isinstance(env.observation_space, acrl.spaces.Box) and env.observation_space.shape == (4,)
    assert env.observation_space.dtype == np.float32
    assert isinstance(env.action_space, acrl.spaces.Discrete) and env.action_space.n == 2
    assert env.observation_space.high[0] == np.float32(4.8)
    obs, info = env.reset(seed=42)
    assert obs.dtype == np.float32 and obs.shape == (4,) and info == {}
    obs2, _ = env.reset(seed=42)
    assert np.array_equal(obs, obs2)
    obs3, _ = env.reset()
    assert not np.array_equal(obs, obs3)   # unseeded: the generator goes on
    out = env.step(1)
    assert len(out) == 5 and out[0].dtype == np.float32
    assert type(out[1]) is float and type(out[2]) is bool and type(out[3]) is bool and out[4] == {}
    env.close()
    env.close()   # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        env.reset()

    p = acrl.make("Pendulum-v1")
    assert p.action_space.shape == (1,) and p.action_space.low[0] == -2.0 and p.action_space.high[0] == 2.0
    assert str(p.action_space) == "Box(-2.0, 2.0, (1,), float32)"


@pytest.mark.parametrize("env_id,seed", [("CartPole-v1", 3), ("Pendulum-v1", 5), ("MountainCarContinuous-v0", 1)])
def test_same_transitions_as_rollout(acrl_bin, env_id, seed, tmp_path):
    env = acrl.make(env_id)
    rng = np.random.default_rng(seed)
    if isinstance(env.action_space, acrl.spaces.Discrete):
        actions = [int(a) for a in rng.integers(0, env.action_space.n, 60)]
    else:
        s = env.action_space
        actions = [rng.uniform(s.low, s.high).astype(np.float32) for _ in range(60)]
    rows = rollout_rows(acrl_bin, env_id, seed, actions, tmp_path)
    od, ad = env.observation_space.shape[0], 1 if isinstance(env.action_space, acrl.spaces.Discrete) else \
        env.action_space.shape[0]
    obs, _ = env.reset(seed=seed)
    assert np.array_equal(obs, np.array(rows[0][1 + ad:1 + ad + od], dtype=np.float32))
    n = 0
    for a, row in zip(actions, rows[1:]):
        obs, r, term, trunc, _ = env.step(a)
        assert np.array_equal(obs, np.array(row[1 + ad:1 + ad + od], dtype=np.float32)), f"step {n + 1}"
        assert r == float(row[1 + ad + od]) and term == (row[-2] == "1") and trunc == (row[-1] == "1")
        n += 1
        if term or trunc:
            break
    assert n == len(rows) - 1 and n > 5


def test_options():
    env = acrl.make("CartPole-v1", max_episode_steps=3)
    env.reset(seed=0)
    flags = [env.step(0)[3] for _ in range(3)]
    assert flags == [False, False, True]
    env = acrl.make("Pendulum-v1", max_episode_steps=None)   # no time limit
    env.reset(seed=0)
    assert not any(env.step(np.zeros(1, np.float32))[3] for _ in range(250))


def test_bad_input():
    with pytest.raises(ValueError, match="unknown env id 'Nope-v0'; valid ids: CartPole-v1"):
        acrl.make("Nope-v0")
    with pytest.raises(ValueError, match="unknown option 'frameskip'"):
        acrl.make("CartPole-v1", frameskip=4)
    with pytest.raises(ValueError, match="max_episode_steps"):
        acrl.make("CartPole-v1", max_episode_steps=-1)
    env = acrl.make("CartPole-v1")
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    for seed in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="seed"):
            env.reset(seed=seed)
    with pytest.raises(ValueError, match="options"):
        env.reset(options={"low": 0})
    env.reset(seed=0)
    for bad in (2, -1):
        with pytest.raises(ValueError, match=r"outside Discrete\(2\)"):
            env.step(bad)
    for bad in (0.5, "1", None, True, np.array([1])):
        with pytest.raises(ValueError, match=r"integer in \[0, 2\)"):
            env.step(bad)
    env.step(np.int32(1))
    env.step(np.array(0))
    p = acrl.make("Pendulum-v1")
    p.reset(seed=0)
    for bad in (np.zeros(2), np.zeros((1, 1)), 0.5):
        with pytest.raises(ValueError, match=r"expected \(1,\)"):
            p.step(bad)
    with pytest.raises(ValueError, match=r"shape \(1,\)"):
        p.step(np.array(["a"]))
    p.step([0.5])              # a list of numbers is fine
    p.step(np.zeros(1, np.float64))
