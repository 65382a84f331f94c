"""acrl.make_vec: Gymnasium 1.x vector semantics (seeding, next-step autoreset), arrays
written in place by C, bad input."""
import numpy as np
import pytest

import acrl


def test_spaces_and_seeding():
    v = acrl.make_vec("CartPole-v1", 5)
    assert v.num_envs == 5 and v.autoreset_mode == "next_step"
    assert v.single_observation_space == acrl.make("CartPole-v1").observation_space
    assert v.single_action_space == acrl.spaces.Discrete(2)
    assert v.observation_space.shape == (5, 4) and v.action_space.shape == (5,)
    obs, info = v.reset(seed=10)
    assert obs.shape == (5, 4) and obs.dtype == np.float32 and info == {}
    for i in range(5):   # copy i seeded with 10 + i, as gym.make(...).reset(seed=10 + i)
        assert np.array_equal(obs[i], acrl.make("CartPole-v1").reset(seed=10 + i)[0])
    first = obs.copy()
    v.reset()
    assert not np.array_equal(first, obs)      # unseeded: the generators go on
    v.reset(seed=10)
    assert np.array_equal(first, obs)          # reseeded
    pv = acrl.make_vec("Pendulum-v1", 3)
    assert pv.action_space.shape == (3, 1) and pv.single_action_space.shape == (1,)


def test_in_place_and_next_step_autoreset():
    """Every copy follows its own single env exactly; the step after an episode end only
    resets (reward 0, flags False, the new episode's first observation)."""
    n = 4
    v = acrl.make_vec("CartPole-v1", n, max_episode_steps=30)
    obs, _ = v.reset(seed=0)
    singles = [acrl.make("CartPole-v1", max_episode_steps=30) for _ in range(n)]
    want = [s.reset(seed=i)[0] for i, s in enumerate(singles)]
    pending = [False] * n
    rng = np.random.default_rng(1)
    ends = resets = 0
    for _ in range(200):
        a = rng.integers(0, 2, n)
        o, r, te, tr, info = v.step(a)
        assert o is obs                         # the same array, written in place
        for i in range(n):
            if pending[i]:
                w = singles[i].reset()[0]       # unseeded, continuing copy i's generator
                assert np.array_equal(o[i], w) and r[i] == 0 and not te[i] and not tr[i]
                pending[i] = False
                resets += 1
                continue
            w, wr, wte, wtr, _ = singles[i].step(int(a[i]))
            assert np.array_equal(o[i], w) and r[i] == wr and te[i] == wte and tr[i] == wtr
            if wte or wtr:
                pending[i] = True
                ends += 1
    assert ends > 10 and resets > 10


def test_threads_give_same_results():
    a = acrl.make_vec("Pendulum-v1", 6, threads=1)
    b = acrl.make_vec("Pendulum-v1", 6, threads=3)
    oa, _ = a.reset(seed=4)
    ob, _ = b.reset(seed=4)
    rng = np.random.default_rng(0)
    for _ in range(250):
        act = rng.uniform(-2, 2, (6, 1)).astype(np.float32)
        ra = a.step(act)
        rb = b.step(act)
        assert np.array_equal(oa, ob) and np.array_equal(ra[1], rb[1]) and np.array_equal(ra[3], rb[3])


def test_bad_input():
    with pytest.raises(ValueError, match="unknown env id"):
        acrl.make_vec("Nope-v0", 2)
    for n in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="num_envs"):
            acrl.make_vec("CartPole-v1", n)
    with pytest.raises(ValueError, match="threads"):
        acrl.make_vec("CartPole-v1", 2, threads=0)
    v = acrl.make_vec("CartPole-v1", 3)
    with pytest.raises(RuntimeError, match="reset"):
        v.step(np.zeros(3, np.int64))
    v.reset(seed=0)
    with pytest.raises(ValueError, match=r"shape \(2,\), expected \(3,\)"):
        v.step(np.zeros(2, np.int64))
    with pytest.raises(ValueError, match=r"expected \(3,\)"):
        v.step([0, 1])
    with pytest.raises(ValueError, match="integers of shape"):
        v.step(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        v.step(np.array([0, 2, 1]))
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        v.step(np.array([0, -1, 1], np.int32))
    v.step([0, 1, 1])                      # a list of ints is fine
    v.step(np.array([1, 0, 1], np.uint8))
    p = acrl.make_vec("Pendulum-v1", 2)
    p.reset(seed=0)
    with pytest.raises(ValueError, match=r"shape \(2,\), expected \(2, 1\)"):
        p.step(np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="real numbers"):
        p.step(np.array([["a"], ["b"]]))
    p.step(np.zeros((2, 1)))               # float64 is converted
    v.close()
    with pytest.raises(RuntimeError, match="closed"):
        v.reset()
