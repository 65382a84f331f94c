"""acrl.load_plugin: the C example plugin's env from Python, as the CLI's --plugin sees it;
refused plugins."""
import os
import subprocess

import numpy as np
import pytest

import acrl


@pytest.fixture(scope="module")
def build_dir(acrl_bin):
    return os.path.dirname(acrl_bin)


def test_example_plugin(build_dir, acrl_bin, tmp_path):
    path = os.path.join(build_dir, "examples", "libtarget_reach.so")
    acrl.load_plugin(path)
    acrl.load_plugin(path)   # once only: no duplicate registration
    assert "TargetReach-v0" in acrl.registered_envs()
    env = acrl.make("TargetReach-v0")
    assert env.action_space == acrl.spaces.Discrete(3) and env.observation_space.shape == (2,)
    # the transitions of `acrl rollout --plugin` (actions: always 2, move right)
    (tmp_path / "a.txt").write_text("2\n" * 100)
    out = subprocess.run([acrl_bin, "rollout", "TargetReach-v0", "--plugin", path, "--seed", "5", "--actions",
                          str(tmp_path / "a.txt")], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [r.split(",") for r in out[1:]]
    obs, _ = env.reset(seed=5)
    assert np.array_equal(obs, np.array(rows[0][2:4], np.float32))
    for row in rows[1:]:
        obs, r, te, tr, _ = env.step(2)
        assert np.array_equal(obs, np.array(row[2:4], np.float32)) and r == float(row[4])
        assert te == (row[5] == "1") and tr == (row[6] == "1")
    assert te or tr


def test_refused(build_dir, tmp_path):
    with pytest.raises(ValueError, match="no entry point acrl_plugin_init"):
        acrl.load_plugin(os.path.join(build_dir, "tests", "plugins", "libplugin_noinit.so"))
    with pytest.raises(ValueError, match="'CartPole-v1' is already registered"):
        acrl.load_plugin(os.path.join(build_dir, "tests", "plugins", "libplugin_dup.so"))
    with pytest.raises(ValueError, match="no such file"):
        acrl.load_plugin(tmp_path / "none.so")
    junk = tmp_path / "junk.so"
    junk.write_text("not a shared object")
    with pytest.raises(ValueError, match="cannot load"):
        acrl.load_plugin(junk)
