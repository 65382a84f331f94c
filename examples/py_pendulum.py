"""An env written in Python and trained by acrl: Gymnasium's Pendulum-v1 (g = 10) in NumPy.

    PYTHONPATH=python /usr/bin/python3 examples/py_pendulum.py

registers it as "PyPendulum-v1" (200 steps per episode), trains SAC on it for 5,000 steps
and evaluates the policy. The dynamics are those of acrl's C Pendulum-v1, so the two can
be compared step for step (python/tests/test_pyenv.py does).
"""
import numpy as np

import acrl


class PyPendulum:
    """Swing a pendulum up: observation (cos th, sin th, thdot), torque in [-2, 2]."""

    max_speed, max_torque, dt, g, m, l = 8.0, 2.0, 0.05, 10.0, 1.0, 1.0

    def __init__(self):
        high = np.array([1.0, 1.0, self.max_speed], dtype=np.float32)
        self.observation_space = acrl.spaces.Box(-high, high)
        self.action_space = acrl.spaces.Box(-self.max_torque, self.max_torque, shape=(1,))
        self.np_random = np.random.default_rng()
        self.state = np.zeros(2)

    def reset(self, seed=None, options=None):
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.state = self.np_random.uniform(low=[-np.pi, -1.0], high=[np.pi, 1.0])
        return self._obs(), {}

    def step(self, action):
        th, thdot = self.state
        u = float(np.clip(action, -self.max_torque, self.max_torque)[0])
        an = ((th + np.pi) % (2 * np.pi)) - np.pi
        costs = an**2 + 0.1 * thdot**2 + 0.001 * u**2
        newthdot = thdot + (3 * self.g / (2 * self.l) * np.sin(th) + 3.0 / (self.m * self.l**2) * u) * self.dt
        newthdot = np.clip(newthdot, -self.max_speed, self.max_speed)
        self.state = np.array([th + newthdot * self.dt, newthdot])
        return self._obs(), -float(costs), False, False, {}

    def _obs(self):
        th, thdot = self.state
        return np.array([np.cos(th), np.sin(th), thdot], dtype=np.float32)


if __name__ == "__main__":
    acrl.register_env("PyPendulum-v1", PyPendulum, max_episode_steps=200)
    run = acrl.train("sac", "PyPendulum-v1", steps=5000, seed=0, config={"learning_rate": 1e-3, "eval_freq": 0},
                     out="runs/py-pendulum", quiet=True)
    print(f"{run.run_dir}: {run.summary['steps']} steps, {run.summary['sps']:.0f} steps/s, "
          f"eval return {run.summary['eval_return_mean']:.1f}")
    policy = acrl.load_policy(run.run_dir)
    env = acrl.make("PyPendulum-v1")
    obs, info = env.reset(seed=7)
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
        total += reward
        done = terminated or truncated
    print(f"one episode with the trained policy: return {total:.1f}")
