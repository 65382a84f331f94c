"""acrl: actor-critic deep reinforcement learning in C, from Python.

    import acrl
    env = acrl.make("CartPole-v1")                  # Gymnasium's reset/step conventions
    venv = acrl.make_vec("CartPole-v1", 64)          # batched numpy arrays, stepped in C
    acrl.register_env("MyEnv-v0", MyEnv, 200)        # an env written in Python, trainable
    run = acrl.train("ppo", "CartPole-v1", seed=1)   # the same run as `acrl train`
    policy = acrl.load_policy(run.run_dir)           # act(obs) as `acrl eval` acts

The package binds libacrl (a shared library) through ctypes; see _lib.py for how the
library is found.
"""
from . import spaces
from .env import Env, VecEnv, load_plugin, make, make_vec, register_env, registered_envs
from .train import Policy, TrainResult, load_policy, train

__version__ = "0.1.0"
__all__ = ["spaces", "Env", "VecEnv", "make", "make_vec", "register_env", "registered_envs", "load_plugin", "train",
           "TrainResult", "load_policy", "Policy"]
