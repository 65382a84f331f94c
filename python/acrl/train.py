"""Training (acrl.train, the same run as `acrl train`) and trained policies (acrl.load_policy,
acting exactly as `acrl eval` does)."""
import ctypes
import json
import os
import sys
import threading
from ctypes import byref, c_char_p, c_int

import numpy as np

from . import _lib
from .env import _pyenv_errors, _space_from_c

__all__ = ["train", "TrainResult", "load_policy", "Policy"]


class TrainResult:
    """What a finished run left: run_dir (its directory) and summary (summary.json as a dict)."""

    def __init__(self, run_dir, summary):
        self.run_dir = run_dir
        self.summary = summary

    def __repr__(self):
        s = self.summary
        return (f"TrainResult(run_dir={self.run_dir!r}, steps={s.get('steps')}, "
                f"eval_return_mean={s.get('eval_return_mean')})")


@_lib.NOTICE_FN
def _print_notice(user, msg):
    """Notices of the run (a resume that is not exact, ...), as `acrl train` prints them."""
    try:
        print(f"acrl: train: {msg.decode('utf-8', 'replace')}", file=sys.stderr)
    except BaseException:   # noqa: B036 - nothing may cross into C
        pass


def _config_value(k, v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return ",".join(str(int(x)) for x in v)
    if isinstance(v, (int, float, str, np.integer, np.floating)):
        return str(v)
    raise ValueError(f"config key '{k}': unsupported value {v!r} (numbers, strings, bools and lists of ints)")


def train(algo, env_id, steps=None, seed=0, config=None, out=None, threads=0, resume=None, quiet=False):
    """Trains as `acrl train ALGO ENV` does and returns a TrainResult.

    steps: total env steps (None: the config's n_timesteps); seed: run seed; config: a dict of
    the configuration keys of `acrl help ALGO` (applied like --set over the preset); out: the
    run directory (None: runs/ALGO-ENV-SEED-<time>); threads: env-stepping and update threads
    (0: chosen per run, results do not depend on it); resume: a
    run directory to continue (algo and env_id are then taken from it and may be None);
    quiet: no progress line. A KeyboardInterrupt (Ctrl-C) stops after the current iteration,
    writes last.ckpt (resumable with resume=run_dir) and is raised again. Bad input raises
    ValueError with acrl's message; a failed run RuntimeError."""
    o = _lib.train_options_default()
    keep = []

    def enc(s, what):
        b = _lib.encode(s, what)
        keep.append(b)
        return b

    if resume is None:
        o.algo = enc(algo, "algo")
        o.env_id = enc(env_id, "env_id")
    else:
        o.resume_dir = enc(os.fspath(resume), "resume")
        if config:
            raise ValueError("resume keeps the run's configuration: config cannot change it")
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 2_000_000_000:
            raise ValueError(f"steps must be an integer in [1, 2e9], got {steps!r}")
        o.steps = int(steps)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2^32), got {seed!r}")
    o.seed = int(seed)
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 0 <= threads <= 256:
        raise ValueError(f"threads must be an integer in [0, 256] (0: chosen per run), got {threads!r}")
    o.threads = int(threads)
    if out is not None:
        o.out_dir = enc(os.fspath(out), "out")
    o.quiet = bool(quiet)
    o.notice = _print_notice
    if config is not None:
        if not isinstance(config, dict):
            raise ValueError(f"config must be a dict of configuration keys, got {type(config).__name__}")
        sets = [enc(f"{k}={_config_value(k, v)}", "config key") for k, v in config.items()]
        arr = (c_char_p * max(1, len(sets)))(*sets)
        keep.append(arr)
        o.overrides = ctypes.cast(arr, ctypes.POINTER(c_char_p))
        o.n_overrides = len(sets)

    stop = c_int(0)
    o.stop_flag = ctypes.pointer(stop)   # the library installs no signal handlers
    err = ctypes.create_string_buffer(_lib.ERRLEN)
    result = {}

    def run():
        result["code"] = _lib.train(byref(o), err, _lib.ERRLEN)

    # The run goes on in a thread (ctypes releases the GIL), so that Ctrl-C reaches this
    # one as KeyboardInterrupt and becomes a stop request.
    _pyenv_errors.pop()
    _pyenv_errors.stop_flag = stop
    t = threading.Thread(target=run, name="acrl-train", daemon=True)
    interrupted = False
    try:
        t.start()
        while t.is_alive():
            try:
                t.join(0.05)
            except KeyboardInterrupt:
                interrupted = True
                stop.value = 1
    finally:
        t.join()
        _pyenv_errors.stop_flag = None
    env_err = _pyenv_errors.pop()
    if env_err is not None:
        raise env_err
    code = result.get("code", _lib.ERR_RUNTIME)
    run_dir = o.run_dir.decode()
    if code == _lib.INTERRUPTED or interrupted:
        raise KeyboardInterrupt(f"acrl: training interrupted; last.ckpt written; continue with "
                                f"acrl.train(None, None, resume={run_dir!r})")
    if code == _lib.ERR_INPUT:
        raise ValueError(_lib.errstr(err))
    if code != _lib.OK:
        raise RuntimeError(_lib.errstr(err))
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    return TrainResult(run_dir, summary)


class Policy:
    """A trained policy: act(obs, deterministic=True) for one observation (obs_dim,) or a
    batch (N, obs_dim), with the checkpoint's observation normalization and the action
    bounds applied, exactly as `acrl eval` acts. Discrete: an int (or an int64 array of N);
    Box: a float32 array (act_dim,) (or (N, act_dim))."""

    def __init__(self, path):
        self._a = None
        path = os.fspath(path)
        if os.path.isdir(path):   # a run directory: its final checkpoint, else its last
            final = os.path.join(path, "final.ckpt")
            path = final if os.path.exists(final) else os.path.join(path, "last.ckpt")
        err = _lib.errbuf()
        a = _lib.agent_load(_lib.encode(path, "path"), err, _lib.ERRLEN)
        env_err = _pyenv_errors.pop()
        if env_err is not None:
            if a:
                _lib.agent_free(a)
            raise env_err
        if not a:
            raise ValueError(_lib.errstr(err))
        self._a = a
        self.path = path
        self.algo = _lib.agent_algo(a).decode()
        self.env_id = _lib.agent_env_id(a).decode()
        os_, as_ = _lib.agent_obs_space(a).contents, _lib.agent_act_space(a).contents
        self.observation_space = _space_from_c(os_)
        self.action_space = _space_from_c(as_)
        self._od, self._ad = os_.dim, as_.dim
        self._discrete = as_.kind == _lib.SPACE_DISCRETE

    def act(self, obs, deterministic=True):
        if not self._a:
            raise RuntimeError("the policy is closed")
        a = np.asarray(obs)
        if a.dtype.kind not in "fiu":
            raise ValueError(f"observations must be real numbers of shape ({self._od},) or (N, {self._od}), "
                             f"got dtype {a.dtype}")
        single = a.shape == (self._od,)
        if not single and not (a.ndim == 2 and a.shape[1] == self._od):
            raise ValueError(f"observation has shape {a.shape}, expected ({self._od},) or (N, {self._od}) "
                             f"for {self.env_id}")
        x = np.ascontiguousarray(a.reshape(-1, self._od), dtype=np.float32)
        n = x.shape[0]
        if n >= 2**31:
            raise ValueError("too many observations in one batch")
        out = np.empty((n, self._ad), np.float32)
        if n:
            _lib.agent_act(self._a, x.ctypes.data, n, out.ctypes.data, bool(deterministic))
        if self._discrete:
            idx = out[:, 0].astype(np.int64)
            return int(idx[0]) if single else idx
        return out[0] if single else out

    def close(self):
        if self._a:
            _lib.agent_free(self._a)
            self._a = None

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown: the module may be gone already
            pass

    def __repr__(self):
        return f"<acrl.Policy {self.algo} {self.env_id} from {self.path}>"


def load_policy(path):
    """Loads a checkpoint (a .ckpt file, or a run directory: its final.ckpt, else last.ckpt)."""
    return Policy(path)
