#!/usr/bin/python3
"""gen_env_ref.py - reference trajectories for tests/test_envs.c.

An independent NumPy re-implementation of Gymnasium's five classic-control envs
(gymnasium/envs/classic_control/*.py, 0.29 / 1.0), followed statement by statement with
the same NumPy 1.x scalar types (float32 states and actions where Gymnasium has them),
seeded like Gymnasium (reset(seed=s) -> numpy.random.default_rng(s)) and wrapped in
TimeLimit like gym.make. Writes tests/fixtures/env_<id>.csv.

Trigonometry: Gymnasium calls numpy.sin/cos (Acrobot, Pendulum) or math.sin/cos
(CartPole, MountainCar). On float64, numpy uses the C library except on builds that
dispatch to AVX-512 SVML (this machine's NumPy does, differing in the last bit), so the
float64 cases below call the C library through math; float32 cases use numpy as Gymnasium.

Fixture lines (one env instance per file, episodes replayed in order):
  reset,<seed>,<obs...>                      reset(seed) (seed -1: no seed)
  state,<seed>,<n>,<state...>,<obs...>       reset(seed), then env.unwrapped.state = state
  step,<action...>,<obs...>,<reward>,<terminated>,<truncated>
Usage: /usr/bin/python3 tests/gen_env_ref.py   (from the repository root)
"""
import math
import os

import numpy as np

pi = np.pi


def np_cos(x):
    return np.cos(x) if isinstance(x, np.float32) else np.float64(math.cos(x))


def np_sin(x):
    return np.sin(x) if isinstance(x, np.float32) else np.float64(math.sin(x))


class Env:
    np_random = None

    def seed_reset(self, seed):
        if seed is not None:
            self.np_random = np.random.default_rng(seed)


class CartPole(Env):
    id, max_steps, discrete = "CartPole-v1", 500, True

    def __init__(self):
        self.gravity = 9.8
        self.masscart = 1.0
        self.masspole = 0.1
        self.total_mass = self.masspole + self.masscart
        self.length = 0.5
        self.polemass_length = self.masspole * self.length
        self.force_mag = 10.0
        self.tau = 0.02
        self.theta_threshold_radians = 12 * 2 * math.pi / 360
        self.x_threshold = 2.4
        self.state = None
        self.steps_beyond_terminated = None

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        costheta = math.cos(theta)
        sintheta = math.sin(theta)
        temp = (force + self.polemass_length * theta_dot**2 * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta**2 / self.total_mass))
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        x = x + self.tau * x_dot                      # euler
        x_dot = x_dot + self.tau * xacc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * thetaacc
        self.state = (x, x_dot, theta, theta_dot)
        terminated = bool(x < -self.x_threshold or x > self.x_threshold
                          or theta < -self.theta_threshold_radians
                          or theta > self.theta_threshold_radians)
        if not terminated:
            reward = 1.0
        elif self.steps_beyond_terminated is None:
            self.steps_beyond_terminated = 0
            reward = 1.0
        else:
            self.steps_beyond_terminated += 1
            reward = 0.0
        return np.array(self.state, dtype=np.float32), reward, terminated, False

    def reset(self, seed=None):
        self.seed_reset(seed)
        self.state = self.np_random.uniform(low=-0.05, high=0.05, size=(4,))
        self.steps_beyond_terminated = None
        return np.array(self.state, dtype=np.float32)

    def obs(self):
        return np.array(self.state, dtype=np.float32)


def acrobot_wrap(x, m, M):
    diff = M - m
    while x > M:
        x = x - diff
    while x < m:
        x = x + diff
    return x


def acrobot_bound(x, m, M):
    return min(max(x, m), M)


def rk4(derivs, y0, t):
    yout = np.zeros((len(t), len(y0)), np.float64)
    yout[0] = y0
    for i in np.arange(len(t) - 1):
        this = t[i]
        dt = t[i + 1] - this
        dt2 = dt / 2.0
        y0 = yout[i]
        k1 = np.asarray(derivs(y0))
        k2 = np.asarray(derivs(y0 + dt2 * k1))
        k3 = np.asarray(derivs(y0 + dt2 * k2))
        k4 = np.asarray(derivs(y0 + dt * k3))
        yout[i + 1] = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return yout[-1][:4]


class Acrobot(Env):
    id, max_steps, discrete = "Acrobot-v1", 500, True
    dt = 0.2
    LINK_LENGTH_1 = 1.0
    LINK_MASS_1 = 1.0
    LINK_MASS_2 = 1.0
    LINK_COM_POS_1 = 0.5
    LINK_COM_POS_2 = 0.5
    LINK_MOI = 1.0
    MAX_VEL_1 = 4 * pi
    MAX_VEL_2 = 9 * pi
    AVAIL_TORQUE = [-1.0, 0.0, +1]

    def reset(self, seed=None):
        self.seed_reset(seed)
        self.state = self.np_random.uniform(low=-0.1, high=0.1, size=(4,)).astype(np.float32)
        return self.obs()

    def step(self, a):
        s = self.state
        torque = self.AVAIL_TORQUE[a]
        s_augmented = np.append(s, torque)
        ns = rk4(self._dsdt, s_augmented, [0, self.dt])
        ns[0] = acrobot_wrap(ns[0], -pi, pi)
        ns[1] = acrobot_wrap(ns[1], -pi, pi)
        ns[2] = acrobot_bound(ns[2], -self.MAX_VEL_1, self.MAX_VEL_1)
        ns[3] = acrobot_bound(ns[3], -self.MAX_VEL_2, self.MAX_VEL_2)
        self.state = ns
        terminated = bool(-np_cos(ns[0]) - np_cos(ns[1] + ns[0]) > 1.0)
        reward = -1.0 if not terminated else 0.0
        return self.obs(), reward, terminated, False

    def obs(self):
        s = self.state
        return np.array([np_cos(s[0]), np_sin(s[0]), np_cos(s[1]), np_sin(s[1]), s[2], s[3]],
                        dtype=np.float32)

    def _dsdt(self, s_augmented):
        m1 = self.LINK_MASS_1
        m2 = self.LINK_MASS_2
        l1 = self.LINK_LENGTH_1
        lc1 = self.LINK_COM_POS_1
        lc2 = self.LINK_COM_POS_2
        I1 = self.LINK_MOI
        I2 = self.LINK_MOI
        g = 9.8
        a = s_augmented[-1]
        s = s_augmented[:-1]
        theta1, theta2, dtheta1, dtheta2 = s[0], s[1], s[2], s[3]
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * np_cos(theta2)) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * np_cos(theta2)) + I2
        phi2 = m2 * lc2 * g * np_cos(theta1 + theta2 - pi / 2.0)
        phi1 = (-m2 * l1 * lc2 * dtheta2**2 * np_sin(theta2)
                - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * np_sin(theta2)
                + (m1 * lc1 + m2 * l1) * g * np_cos(theta1 - pi / 2)
                + phi2)
        ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * np_sin(theta2) - phi2) / (
            m2 * lc2**2 + I2 - d2**2 / d1)                                  # "book" dynamics
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0


class MountainCar(Env):
    id, max_steps, discrete = "MountainCar-v0", 200, True
    min_position, max_position, max_speed = -1.2, 0.6, 0.07
    goal_position, goal_velocity = 0.5, 0
    force, gravity = 0.001, 0.0025

    def step(self, action):
        position, velocity = self.state
        velocity += (action - 1) * self.force + math.cos(3 * position) * (-self.gravity)
        velocity = np.clip(velocity, -self.max_speed, self.max_speed)
        position += velocity
        position = np.clip(position, self.min_position, self.max_position)
        if position == self.min_position and velocity < 0:
            velocity = 0
        terminated = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        self.state = (position, velocity)
        return np.array(self.state, dtype=np.float32), -1.0, terminated, False

    def reset(self, seed=None):
        self.seed_reset(seed)
        self.state = np.array([self.np_random.uniform(low=-0.6, high=-0.4), 0])
        return np.array(self.state, dtype=np.float32)

    def obs(self):
        return np.array(self.state, dtype=np.float32)


class MountainCarContinuous(Env):
    id, max_steps, discrete = "MountainCarContinuous-v0", 999, False
    min_action, max_action = -1.0, 1.0
    min_position, max_position, max_speed = -1.2, 0.6, 0.07
    goal_position, goal_velocity, power = 0.45, 0, 0.0015

    def step(self, action):
        position = self.state[0]
        velocity = self.state[1]
        force = min(max(action[0], self.min_action), self.max_action)
        velocity += force * self.power - 0.0025 * math.cos(3 * position)
        if velocity > self.max_speed:
            velocity = self.max_speed
        if velocity < -self.max_speed:
            velocity = -self.max_speed
        position += velocity
        if position > self.max_position:
            position = self.max_position
        if position < self.min_position:
            position = self.min_position
        if position == self.min_position and velocity < 0:
            velocity = 0
        terminated = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        reward = 0
        if terminated:
            reward = 100.0
        reward -= math.pow(action[0], 2) * 0.1
        self.state = np.array([position, velocity], dtype=np.float32)
        return self.state, reward, terminated, False

    def reset(self, seed=None):
        self.seed_reset(seed)
        self.state = np.array([self.np_random.uniform(low=-0.6, high=-0.4), 0])
        return np.array(self.state, dtype=np.float32)

    def obs(self):
        return np.array(self.state, dtype=np.float32)


def angle_normalize(x):
    return ((x + np.pi) % (2 * np.pi)) - np.pi


class Pendulum(Env):
    id, max_steps, discrete = "Pendulum-v1", 200, False
    max_speed, max_torque, dt, g, m, l = 8, 2.0, 0.05, 10.0, 1.0, 1.0

    def step(self, u):
        th, thdot = self.state
        g, m, l, dt = self.g, self.m, self.l, self.dt
        u = np.clip(u, -self.max_torque, self.max_torque)[0]
        costs = angle_normalize(th) ** 2 + 0.1 * thdot**2 + 0.001 * (u**2)
        newthdot = thdot + (3 * g / (2 * l) * np_sin(th) + 3.0 / (m * l**2) * u) * dt
        newthdot = np.clip(newthdot, -self.max_speed, self.max_speed)
        newth = th + newthdot * dt
        self.state = np.array([newth, newthdot])
        return self.obs(), -costs, False, False

    def reset(self, seed=None):
        self.seed_reset(seed)
        high = np.array([np.pi, 1.0])
        low = -high
        self.state = self.np_random.uniform(low=low, high=high)
        return self.obs()

    def obs(self):
        theta, thetadot = self.state
        return np.array([np_cos(theta), np_sin(theta), thetadot], dtype=np.float32)


class TimeLimit:
    """gym.make's TimeLimit: truncated once max_steps steps were taken since reset."""

    def __init__(self, env):
        self.env, self.elapsed = env, 0

    def reset(self, seed=None):
        self.elapsed = 0
        return self.env.reset(seed)

    def step(self, action):
        obs, reward, terminated, truncated = self.env.step(action)
        self.elapsed += 1
        if self.elapsed >= self.env.max_steps:
            truncated = True
        return obs, reward, terminated, truncated


# ---- episode scripts -----------------------------------------------------------------

def fmt_obs(obs):
    return ",".join("%.9g" % float(v) for v in obs)


class Recorder:
    def __init__(self, env_cls):
        self.base = env_cls()
        self.env = TimeLimit(self.base)
        self.lines = []
        self.steps = 0

    def reset(self, seed):
        obs = self.env.reset(None if seed < 0 else seed)
        self.lines.append("reset,%d,%s" % (seed, fmt_obs(obs)))
        return obs

    def set_state(self, seed, state):
        self.env.reset(None if seed < 0 else seed)
        state = np.array(state, dtype=np.float64)
        self.base.state = state if not isinstance(self.base, CartPole) else tuple(state)
        obs = self.base.obs()
        self.lines.append("state,%d,%d,%s,%s" % (seed, len(state), ",".join(repr(float(v)) for v in state),
                                                  fmt_obs(obs)))
        return obs

    def step(self, action):
        """action: int (Discrete) or float32 (Box, one dimension)."""
        if self.base.discrete:
            a, astr = int(action), "%d" % int(action)
        else:
            a = np.array([action], dtype=np.float32)
            astr = "%.9g" % float(a[0])
        obs, reward, terminated, truncated = self.env.step(a)
        self.lines.append("step,%s,%s,%.17g,%d,%d" % (astr, fmt_obs(obs), float(reward),
                                                       int(terminated), int(truncated)))
        self.steps += 1
        return obs, terminated, truncated

    def run(self, policy, max_steps, extra_after_done=0):
        """Steps policy(obs, t) until the episode ends (plus extra steps) or max_steps."""
        obs = self.base.obs()
        for t in range(max_steps):
            obs, terminated, truncated = self.step(policy(obs, t))
            if terminated or truncated:
                done = (t + 1, terminated, truncated)
                for k in range(extra_after_done):
                    if truncated:
                        break
                    obs, terminated, truncated = self.step(policy(obs, t + 1 + k))
                return done
        return max_steps, False, False

    def write(self, path):
        with open(path, "w") as f:
            f.write("# %s reference trajectories from tests/gen_env_ref.py (Gymnasium re-implementation)\n"
                    % self.base.id)
            f.write("\n".join(self.lines) + "\n")


def cartpole_script(r, prng):
    rand = lambda obs, t: int(prng.integers(2))
    balance = lambda obs, t: int(obs[2] * 10 + obs[3] * 2 + obs[0] * 0.5 + obs[1] * 1.0 > 0)
    for seed in (0, 1, 42, 12345):
        r.reset(seed)
        r.run(rand, 600)
    r.reset(-1)                                        # unseeded: the generator continues
    r.run(rand, 600)
    r.reset(7)
    n, term, trunc = r.run(balance, 600)
    assert trunc and not term and n == 500, (n, term, trunc)
    r.reset(3)
    n, term, _ = r.run(lambda obs, t: 1, 600, extra_after_done=12)  # steps after termination
    assert term
    # edge states near the termination bounds (x = +-2.4, theta = +-12 degrees)
    thr = 12 * 2 * math.pi / 360
    for st, act in (([2.39, 0.5, 0.0, 0.0], 1), ([-2.3999, -0.01, 0.0, 0.0], 0),
                    ([0.0, 0.0, thr - 1e-4, 0.01], 1), ([0.0, 0.0, -thr + 1e-6, -0.0], 0),
                    ([2.4, 0.0, 0.0, 0.0], 1), ([0.0, 0.0, 0.3, 2.0], 0)):
        r.set_state(5, st)
        r.run(lambda obs, t: act, 20, extra_after_done=5)
    r.set_state(9, [0.1, -0.2, 0.05, -0.3])
    r.run(rand, 600)


def acrobot_script(r, prng):
    rand = lambda obs, t: int(prng.integers(3))
    pump = lambda obs, t: 2 if obs[5] > 0 else 0
    for seed in (0, 1, 42):
        r.reset(seed)
        r.run(rand, 60)
    r.reset(-1)
    r.run(rand, 40)
    r.reset(11)
    n, term, trunc = r.run(lambda obs, t: 1, 600)       # no torque: never reaches the goal
    assert trunc and n == 500
    r.reset(2)
    n, term, _ = r.run(pump, 600, extra_after_done=3)  # energy pumping reaches the goal
    assert term, n
    # large velocities hit the +-4pi / +-9pi bounds; angles beyond pi get wrapped
    for st in ([0.0, 0.0, 30.0, -60.0], [3.1, -3.1, -12.5, 28.0], [7.0, -9.0, 0.0, 0.0],
               [3.0, 0.1, 12.56, 28.27]):
        r.set_state(4, st)
        r.run(rand, 30)


def mountaincar_script(r, prng):
    rand = lambda obs, t: int(prng.integers(3))
    pump = lambda obs, t: 2 if obs[1] >= 0 else 0
    for seed in (0, 1, 42):
        r.reset(seed)
        r.run(rand, 250)
    r.reset(-1)
    r.run(rand, 250)
    r.reset(5)
    n, term, _ = r.run(pump, 250)
    assert term, n
    r.set_state(6, [-1.19, -0.07])                     # left wall with negative velocity
    r.run(lambda obs, t: 0, 5)
    r.set_state(6, [-1.2, -0.01])
    r.run(rand, 10)
    r.set_state(6, [0.49, 0.02])                       # reaching the goal
    r.run(lambda obs, t: 2, 5)
    r.set_state(6, [0.5, -0.001])                      # at the goal but moving back: not done
    r.run(lambda obs, t: 0, 3)
    r.set_state(6, [0.55, 0.07])                       # right wall clip
    r.run(lambda obs, t: 2, 3)


def mountaincar_continuous_script(r, prng):
    rand = lambda obs, t: np.float32(prng.uniform(-3.0, 3.0))   # out of range on purpose
    pump = lambda obs, t: np.float32(1.0 if obs[1] >= 0 else -1.0)
    for seed in (0, 1, 42):
        r.reset(seed)
        r.run(rand, 150)
    r.reset(-1)
    r.run(rand, 100)
    r.reset(8)
    n, term, trunc = r.run(lambda obs, t: np.float32(0.0), 1200)   # runs into the time limit
    assert trunc and n == 999
    r.reset(9)
    n, term, _ = r.run(pump, 999)
    assert term, n
    r.reset(10)
    n, term, _ = r.run(lambda obs, t: np.float32(2.5 if obs[1] >= 0 else -2.5), 999)
    assert term, n
    r.set_state(12, [-1.19, -0.07])                    # left wall
    r.run(lambda obs, t: np.float32(-5.0), 5)
    r.set_state(12, [0.44, 0.069])                     # goal with over-range action and speed clip
    r.run(lambda obs, t: np.float32(1.7), 3)
    r.set_state(12, [0.59, 0.07])                      # right wall clip
    r.run(lambda obs, t: np.float32(0.3), 3)
    r.set_state(12, [-0.5, 0.0])
    r.run(lambda obs, t: np.float32([-1.0, 1.0, 0.999, -1.0001, 1e-8, -0.0][t % 6]), 12)


def pendulum_script(r, prng):
    rand = lambda obs, t: np.float32(prng.uniform(-4.0, 4.0))    # beyond +-2: clipped
    for seed in (0, 1, 42):
        r.reset(seed)
        n, term, trunc = r.run(rand, 300)
        assert trunc and n == 200
    r.reset(-1)
    r.run(rand, 50)
    for st in ([0.0, 8.0], [3.0, 7.95], [-3.0, -7.99], [10.0, 0.0], [-10.0, 1.0],
               [math.pi, 0.0], [-math.pi, 0.0], [3 * math.pi, 0.5], [100.0, -3.0]):
        r.set_state(13, st)
        r.run(lambda obs, t: np.float32([2.0, -2.0, 3.5, -1e3, 0.25][t % 5]), 25)


SCRIPTS = [(CartPole, cartpole_script), (Acrobot, acrobot_script), (MountainCar, mountaincar_script),
           (MountainCarContinuous, mountaincar_continuous_script), (Pendulum, pendulum_script)]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    os.makedirs(out, exist_ok=True)
    for k, (cls, script) in enumerate(SCRIPTS):
        r = Recorder(cls)
        script(r, np.random.default_rng(1000 + k))
        path = os.path.join(out, "env_%s.csv" % cls.id)
        r.write(path)
        print("%-28s %5d steps -> %s" % (cls.id, r.steps, path))


if __name__ == "__main__":
    main()
