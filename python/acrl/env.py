"""Envs: acrl.make (one env), acrl.make_vec (a batch stepped in C) and acrl.register_env
(an env written in Python, trainable by every acrl algorithm)."""
import ctypes
import os
import threading
from ctypes import POINTER, byref, c_bool, c_double, c_float

import numpy as np

from . import _lib
from .spaces import Box, Discrete, MultiDiscrete

__all__ = ["Env", "VecEnv", "make", "make_vec", "register_env", "registered_envs", "load_plugin"]


def _space_from_c(s):
    if s.kind == _lib.SPACE_DISCRETE:
        return Discrete(s.n)
    low = np.ctypeslib.as_array(s.low, (s.dim,)).copy()
    high = np.ctypeslib.as_array(s.high, (s.dim,)).copy()
    return Box(low, high)


def _env_options(env_id, options):
    o = _lib.env_options_default()
    keep = []
    for k, v in options.items():
        if k == "max_episode_steps":
            if v is None:
                o.max_episode_steps = 0
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0:
                o.max_episode_steps = int(v)
            else:
                raise ValueError(f"max_episode_steps must be None (no limit) or an integer >= 0, got {v!r}")
        elif k == "model_path":
            b = _lib.encode(v, "model_path")
            keep.append(b)
            o.model_path = b
        else:
            raise ValueError(f"{env_id}: unknown option '{k}' (valid: max_episode_steps, model_path)")
    return o, keep


def _check_seed(seed):
    if seed is None:
        return -1
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be None or an integer in [0, 2^63), got {seed!r}")
    return int(seed)


def _check_options(options):
    if options:
        raise ValueError(f"reset: acrl envs take no options, got {options!r}")


# integer dtypes and the unsigned dtype of the same size to view them as
_UNSIGNED = {np.dtype(t): np.dtype(np.dtype(t).str.replace("i", "u")) for t in
             (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)}


def _raise_env_error():
    """Raises the first error a Python-defined env reported from a callback, if any."""
    err = _pyenv_errors.pop()
    if err is not None:
        raise err


class Env:
    """One env, as gym.make builds it (the registered time limit included). Observations are
    float32 arrays; reset returns (obs, info), step returns (obs, reward, terminated,
    truncated, info); transitions are those of `acrl rollout` for the same seed and actions."""

    def __init__(self, env_id, **options):
        self._ptr = None
        opt, self._keep = _env_options(env_id, options)
        err = _lib.errbuf()
        ptr = _lib.env_make(_lib.encode(env_id, "env_id"), byref(opt), err, _lib.ERRLEN)
        _raise_env_error()
        if not ptr:
            raise ValueError(_lib.errstr(err))
        self._ptr = ptr
        head = ctypes.cast(ptr, POINTER(_lib.EnvHead)).contents
        self.id = env_id
        self.observation_space = _space_from_c(head.obs_space)
        self.action_space = _space_from_c(head.act_space)
        self._od = head.obs_space.dim
        self._discrete = head.act_space.kind == _lib.SPACE_DISCRETE
        self._ad = head.act_space.dim
        self._obs = np.zeros(self._od, np.float32)
        self._act = np.zeros(self._ad, np.float32)
        self._obs_p = self._obs.ctypes.data
        self._act_p = self._act.ctypes.data
        self._r, self._te, self._tr = c_double(), c_bool(), c_bool()
        self._reset_done = False

    @property
    def unwrapped(self):
        return self

    def reset(self, seed=None, options=None):
        s = _check_seed(seed)
        _check_options(options)
        self._live()
        _lib.env_reset(self._ptr, s, self._obs_p)
        _raise_env_error()
        self._reset_done = True
        return self._obs.copy(), {}

    def step(self, action):
        self._live()
        if not self._reset_done:
            raise RuntimeError(f"{self.id}: call reset() before step()")
        _action_into(self._act, action, self.action_space, self._discrete)
        _lib.env_step(self._ptr, self._act_p, self._obs_p, byref(self._r), byref(self._te), byref(self._tr))
        _raise_env_error()
        return self._obs.copy(), self._r.value, self._te.value, self._tr.value, {}

    def close(self):
        if self._ptr:
            _lib.env_close(self._ptr)
            self._ptr = None

    def _live(self):
        if not self._ptr:
            raise RuntimeError(f"{self.id}: the env is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown: the module may be gone already
            pass

    def __repr__(self):
        return f"<acrl.Env {self.id}>"


def _action_into(buf, action, space, discrete):
    """Checks one action against the space and writes it into buf (float32)."""
    if discrete:
        a = action
        if isinstance(a, np.ndarray) and a.shape == ():
            a = a[()]
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise ValueError(f"action must be an integer in [0, {space.n}) for {space}, got {action!r} "
                             f"({type(action).__name__})")
        if not 0 <= a < space.n:
            raise ValueError(f"action {int(a)} is outside {space}: expected an integer in [0, {space.n})")
        buf[0] = a
        return
    a = np.asarray(action)
    if a.dtype.kind not in "fiu":
        raise ValueError(f"action must be a real array of shape {space.shape} for {space}, got dtype {a.dtype}")
    if a.shape != space.shape:
        raise ValueError(f"action has shape {a.shape}, expected {space.shape} for {space}")
    buf[:] = a


def make(env_id, **options):
    """Creates the env registered as env_id (acrl.registered_envs() lists them), like gym.make.
    Options: max_episode_steps (None: no time limit; default: the registered one),
    model_path (MuJoCo tasks: a model file of your own)."""
    return Env(env_id, **options)


class VecEnv:
    """num_envs copies of one env stepped together in C, with Gymnasium 1.x vector semantics
    and its default autoreset mode, next-step: when a copy's episode ends, that step returns
    its last observation with terminated or truncated set; the copy's next step ignores its
    action, resets it and returns the first observation of the new episode with reward 0 and
    both flags False. reset(seed=s) seeds copy i with s + i (a reset without seed continues
    the copies' generators; the very first one seeds with 0 + i).

    The arrays that reset and step return are views of acrl's own buffers, written in place
    by C: no copies per step, and the next step overwrites them (copy what you keep)."""

    metadata = {"autoreset_mode": "next_step"}
    autoreset_mode = "next_step"
    render_mode = None

    def __init__(self, env_id, num_envs, threads=1, **options):
        self._v = None
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or not 1 <= num_envs <= 65536:
            raise ValueError(f"num_envs must be an integer in [1, 65536], got {num_envs!r}")
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= threads <= 256:
            raise ValueError(f"threads must be an integer in [1, 256], got {threads!r}")
        opt, self._keep = _env_options(env_id, options)
        err = _lib.errbuf()
        v = _lib.vecenv_make(_lib.encode(env_id, "env_id"), int(num_envs), 0, int(threads), byref(opt), err,
                             _lib.ERRLEN)
        _raise_env_error()
        if not v:
            raise ValueError(_lib.errstr(err))
        self._v = v
        _lib.vecenv_set_autoreset(v, _lib.AUTORESET_NEXT_STEP)
        c = v.contents
        n, od, ad = c.num_envs, c.obs_dim, c.act_dim
        head = ctypes.cast(c.envs[0], POINTER(_lib.EnvHead)).contents
        self.id = env_id
        self.num_envs = n
        self.single_observation_space = _space_from_c(head.obs_space)
        self.single_action_space = _space_from_c(head.act_space)
        so = self.single_observation_space
        self.observation_space = Box(np.broadcast_to(so.low, (n, od)), np.broadcast_to(so.high, (n, od)))
        self._discrete = head.act_space.kind == _lib.SPACE_DISCRETE
        if self._discrete:
            self._n = head.act_space.n
            self._n_u = {d: d.type(self._n) if self._n <= np.iinfo(d).max else None for d in set(_UNSIGNED.values())}
            self.action_space = MultiDiscrete(np.full(n, self._n))
        else:
            sa = self.single_action_space
            self.action_space = Box(np.broadcast_to(sa.low, (n, ad)), np.broadcast_to(sa.high, (n, ad)))
        self._act_shape = (n,) if self._discrete else (n, ad)
        self._act = np.zeros((n, ad), np.float32)
        self._act_flat = self._act.reshape(-1) if self._discrete else self._act
        self._act_p = self._act.ctypes.data
        # views of the C buffers (valid until close)
        self._obs = np.ctypeslib.as_array(c.obs, (n, od))
        self._rew = np.ctypeslib.as_array(c.rewards, (n,))
        self._term = np.ctypeslib.as_array(c.terminated, (n,))
        self._trunc = np.ctypeslib.as_array(c.truncated, (n,))
        # the per-step call goes through a declaration without argtypes, with its arguments
        # converted once here: a third less time per call than the checked declaration
        self._step_raw = _lib.vecenv_step_raw
        self._v_p = ctypes.c_void_p(ctypes.addressof(c))
        self._act_vp = ctypes.c_void_p(self._act_p)
        self._reset_done = False

    def reset(self, seed=None, options=None):
        _check_options(options)
        self._live()
        if seed is not None:
            _lib.vecenv_reseed(self._v, _check_seed(seed))
        _lib.vecenv_reset(self._v)
        _raise_env_error()
        self._reset_done = True
        return self._obs, {}

    def step(self, actions):
        if not self._reset_done:
            self._live()
            raise RuntimeError(f"{self.id}: call reset() before step()")
        a = actions
        if type(a) is not np.ndarray or a.shape != self._act_shape:
            a = self._bad_shape(actions)
        if self._discrete:
            u = _UNSIGNED.get(a.dtype)
            if u is None:
                raise ValueError(f"actions must be integers of shape {self._act_shape} for "
                                 f"{self.single_action_space}, got dtype {a.dtype}")
            # one reduction checks both ends (negative integers wrap to huge unsigned ones);
            # argmax costs a quarter of max, and the bound is of the same unsigned type
            # (comparing a NumPy uint64 with a Python int goes through float64, 5x slower)
            u = a.view(u)
            b = self._n_u[u.dtype]
            if b is not None and u[u.argmax()] >= b:
                raise ValueError(f"actions must lie in [0, {self._n}) for {self.single_action_space}, "
                                 f"got min {a.min()} max {a.max()}")
            self._act_flat[:] = a
            self._step_raw(self._v_p, self._act_vp)
        elif a.dtype == np.float32 and a.flags.c_contiguous:
            self._step_raw(self._v_p, ctypes.c_void_p(a.ctypes.data))   # straight from the caller's array
        else:
            if a.dtype.kind not in "fiu":
                raise ValueError(f"actions must be real numbers of shape {self._act_shape}, got dtype {a.dtype}")
            self._act[:] = a
            self._step_raw(self._v_p, self._act_vp)
        if _pyenv_errors.pending:
            _raise_env_error()
        return self._obs, self._rew, self._term, self._trunc, {}

    def _bad_shape(self, actions):
        self._live()
        a = np.asarray(actions)
        if a.shape != self._act_shape:
            raise ValueError(f"actions have shape {a.shape}, expected {self._act_shape} "
                             f"({self.num_envs} copies of {self.single_action_space})")
        return a

    def close(self):
        if self._v:
            _lib.vecenv_close(self._v)
            self._v = None
            self._reset_done = False

    def _live(self):
        if not self._v:
            raise RuntimeError(f"{self.id}: the vector env is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown: the module may be gone already
            pass

    def __repr__(self):
        return f"<acrl.VecEnv {self.id} x{self.num_envs}>"


def make_vec(env_id, num_envs, threads=1, **options):
    """num_envs copies of env_id stepped in C by `threads` threads (results do not depend on
    it); see VecEnv for the semantics. Options as for make."""
    return VecEnv(env_id, num_envs, threads, **options)


_plugins = {}   # real path -> handle: each plugin's init runs once


def load_plugin(path):
    """Loads a C plugin (a shared object exporting acrl_plugin_init, as `acrl ... --plugin`
    loads it), whose envs then work with make, make_vec and train. Loading the same file
    again does nothing. Raises ValueError if it cannot be loaded, has no entry point or its
    init fails (e.g. a duplicate id)."""
    real = os.path.realpath(os.fspath(path))
    if real in _plugins:
        return
    if not os.path.exists(real):
        raise ValueError(f"plugin {path}: no such file")
    try:
        h = ctypes.CDLL(real, mode=ctypes.RTLD_LOCAL)
    except OSError as e:
        raise ValueError(f"plugin {path}: cannot load: {e}") from None
    try:
        init = h.acrl_plugin_init
    except AttributeError:
        raise ValueError(f"plugin {path}: no entry point acrl_plugin_init (a plugin exports "
                         f"'int acrl_plugin_init(char* err, size_t errlen)')") from None
    init.restype = ctypes.c_int
    init.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    err = _lib.errbuf()
    if init(err, _lib.ERRLEN) != 0:
        raise ValueError(f"plugin {path}: acrl_plugin_init failed: {_lib.errstr(err) or '(no message)'}")
    _plugins[real] = h


def registered_envs():
    """The registered env ids (built in, then registered by programs, plugins and register_env)."""
    return [_lib.env_spec_at(i).contents.id.decode() for i in range(_lib.env_count())]


# ---- envs written in Python ------------------------------------------------------------

class _ErrorBox:
    """The first error a Python env raised inside a callback (C cannot carry exceptions):
    the callback reports a terminal transition, stores the error here and requests a stop;
    whoever called into C (Env.step, VecEnv.step, train) raises it."""

    def __init__(self):
        self.pending = False
        self._err = None
        self._lock = threading.Lock()
        self.stop_flag = None   # ctypes c_int set while train() runs

    def put(self, err):
        with self._lock:
            if self._err is None:
                self._err = err
            self.pending = True
        if self.stop_flag is not None:
            self.stop_flag.value = 1

    def pop(self):
        if not self.pending:
            return None
        with self._lock:
            err, self._err, self.pending = self._err, None, False
        return err


_pyenv_errors = _ErrorBox()
_pyenvs = {}          # handle -> _PyEnv
_pyenv_next = [1]
_registered = []      # specs and create callbacks, alive as long as the process


class _PyEnv:
    __slots__ = ("env", "env_id", "od", "discrete", "ad", "obs_shape")

    def __init__(self, env, env_id, od, discrete, ad):
        self.env, self.env_id, self.od, self.discrete, self.ad = env, env_id, od, discrete, ad
        self.obs_shape = (od,)


def _c_space(space, what, env_id):
    """acrl_space for a space object (acrl.spaces or anything with Gymnasium's attributes)."""
    s = _lib.Space()
    keep = None
    if hasattr(space, "n") and not hasattr(space, "low"):
        n = int(space.n)
        if int(getattr(space, "start", 0)) != 0 or n < 1:
            raise ValueError(f"env '{env_id}': {what} space {space} must be Discrete(n) with start 0 and n >= 1")
        s.kind, s.dim, s.n = _lib.SPACE_DISCRETE, 1, n
    elif hasattr(space, "low") and hasattr(space, "high"):
        low = np.asarray(space.low, dtype=np.float32)
        high = np.asarray(space.high, dtype=np.float32)
        if low.ndim != 1 or low.shape != high.shape or low.size < 1:
            raise ValueError(f"env '{env_id}': {what} space must be a 1-D Box, got shape {low.shape}")
        keep = np.ascontiguousarray(np.concatenate([low, high]))
        s.kind, s.dim, s.n = _lib.SPACE_BOX, low.size, 0
        s.low = keep.ctypes.data_as(POINTER(c_float))
        s.high = ctypes.cast(keep.ctypes.data + 4 * low.size, POINTER(c_float))
    else:
        raise ValueError(f"env '{env_id}': {what} space must be an acrl.spaces.Box or Discrete, got {space!r}")
    return s, keep


def _check_obs(pe, obs, where):
    try:
        a = np.asarray(obs, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise TypeError(f"env '{pe.env_id}': {where} returned an observation that is not a float array "
                        f"({type(obs).__name__}: {e})") from None
    if a.shape != pe.obs_shape:
        raise ValueError(f"env '{pe.env_id}': {where} returned an observation of shape {a.shape}, "
                         f"expected {pe.obs_shape}")
    return a


def _fail(pe, exc, obs_p, out=None):
    """A callback failed: report a terminal transition and hand the error over."""
    if obs_p:
        ctypes.memset(obs_p, 0, 4 * pe.od)
    if out is not None:
        reward, term, trunc = out
        reward[0], term[0], trunc[0] = 0.0, True, False
    if not isinstance(exc, Exception):
        exc = RuntimeError(str(exc))
    _pyenv_errors.put(exc)


@_lib.RESET_FN
def _cb_reset(user, seed, obs_p):
    pe = _pyenvs.get(user)
    if pe is None:
        return
    try:
        out = pe.env.reset(seed=int(seed))
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"env '{pe.env_id}': reset() must return (observation, info), got "
                            f"{type(out).__name__}")
        obs = _check_obs(pe, out[0], "reset()")
        ctypes.memmove(obs_p, obs.ctypes.data, 4 * pe.od)
    except BaseException as e:   # noqa: B036 - nothing may cross into C
        _fail(pe, e, obs_p)


_STEP_FIELDS = "(observation, reward, terminated, truncated, info)"


@_lib.STEP_FN
def _cb_step(user, act_p, obs_p, reward, term, trunc):
    pe = _pyenvs.get(user)
    if pe is None:
        return
    try:
        if pe.discrete:
            action = int(act_p[0])
        else:
            action = np.ctypeslib.as_array(act_p, (pe.ad,)).copy()
        out = pe.env.step(action)
        if not isinstance(out, tuple) or len(out) != 5:
            raise TypeError(f"env '{pe.env_id}': step() must return {_STEP_FIELDS}, got "
                            f"{type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, tuple) else ""))
        obs = _check_obs(pe, out[0], "step()")
        r = out[1]
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, (int, float, np.integer, np.floating)):
            if not (isinstance(r, np.ndarray) and r.shape == () and r.dtype.kind in "fiu"):
                raise TypeError(f"env '{pe.env_id}': step() returned reward {r!r} of type {type(r).__name__}, "
                                f"expected a float")
        for name, v in (("terminated", out[2]), ("truncated", out[3])):
            if not isinstance(v, (bool, np.bool_)):
                raise TypeError(f"env '{pe.env_id}': step() returned {name} {v!r} of type {type(v).__name__}, "
                                f"expected a bool")
        ctypes.memmove(obs_p, obs.ctypes.data, 4 * pe.od)
        reward[0] = float(r)
        term[0] = bool(out[2])
        trunc[0] = bool(out[3])
    except BaseException as e:   # noqa: B036
        _fail(pe, e, obs_p, (reward, term, trunc))


@_lib.CLOSE_FN
def _cb_close(user):
    try:
        pe = _pyenvs.pop(user, None)
        if pe is not None and hasattr(pe.env, "close"):
            pe.env.close()
    except BaseException as e:   # noqa: B036 - also at interpreter shutdown, when globals may be gone
        try:
            _pyenv_errors.put(e)
        except BaseException:   # noqa: B036
            pass


def _make_create(env_id, factory):
    id_bytes = env_id.encode()

    def create(opt, err, errlen):
        try:
            env = factory()
            obs_c, keep_o = _c_space(env.observation_space, "observation", env_id)
            act_c, keep_a = _c_space(env.action_space, "action", env_id)
            if obs_c.kind != _lib.SPACE_BOX:
                raise ValueError(f"env '{env_id}': the observation space must be a Box")
            handle = _pyenv_next[0]
            _pyenv_next[0] += 1
            pe = _PyEnv(env, env_id, obs_c.dim, act_c.kind == _lib.SPACE_DISCRETE, act_c.dim)
            _pyenvs[handle] = pe
            cb = _lib.EnvCallbacks(handle, _cb_reset, _cb_step, _cb_close)
            ptr = _lib.env_from_callbacks(id_bytes, byref(cb), byref(obs_c), byref(act_c), err, errlen)
            del keep_o, keep_a   # the C env copied the bounds
            if not ptr:
                _pyenvs.pop(handle, None)
            return ptr
        except BaseException as e:   # noqa: B036
            msg = str(e) if str(e).startswith(f"env '{env_id}'") else f"env '{env_id}': {type(e).__name__}: {e}"
            ctypes.memmove(err, msg.encode()[:errlen - 1] + b"\0", min(len(msg.encode()) + 1, errlen))
            return None

    return _lib.CREATE_FN(create)


def register_env(env_id, factory, max_episode_steps=None):
    """Registers an env written in Python under env_id, so that make, make_vec, train and every
    algorithm find it. factory() returns an env with Gymnasium's API: observation_space (a 1-D
    acrl.spaces.Box) and action_space (Box or Discrete), reset(seed=None, options=None) ->
    (obs, info) and step(action) -> (obs, reward, terminated, truncated, info); close() is
    optional. max_episode_steps: the time limit (None: none). Each reset receives a seed drawn
    from the env copy's acrl generator (seeded by reset(seed=...) or the run seed), so runs
    replay exactly. Wrong types returned by step stop training with an error naming the env
    and the field. Raises ValueError for a malformed or taken id."""
    if not callable(factory):
        raise ValueError(f"register_env: factory must be callable (a class or function), got {factory!r}")
    if max_episode_steps is None:
        steps = 0
    elif isinstance(max_episode_steps, (int, np.integer)) and not isinstance(max_episode_steps, bool) \
            and max_episode_steps >= 1:
        steps = int(max_episode_steps)
    else:
        raise ValueError(f"max_episode_steps must be None or an integer >= 1, got {max_episode_steps!r}")
    create = _make_create(env_id, factory) if isinstance(env_id, str) else None
    id_bytes = _lib.encode(env_id, "env_id")
    spec = _lib.EnvSpec(id_bytes, steps, float("nan"), create)
    err = _lib.errbuf()
    if _lib.env_register(byref(spec), err, _lib.ERRLEN) != 0:
        raise ValueError(_lib.errstr(err))
    _registered.append((id_bytes, create))
