"""ctypes declarations of libacrl (include/acrl/*.h) and where the library is found.

The shared library is looked up in this order: $ACRL_LIBRARY; the path written by
``make install`` (``_paths.py``); ``build/libacrl.so`` of the source tree this package
sits in (``PYTHONPATH=python`` after ``make``); the system's library path.
"""
import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_bool, c_char, c_char_p, c_double, c_float, c_int,
                    c_int64, c_long, c_size_t, c_uint64, c_void_p)

ERRLEN = 1024
ENV_ID_MAX = 63

# return codes of acrl_train (include/acrl/train.h)
OK, ERR_RUNTIME, ERR_INPUT, INTERRUPTED = 0, 1, 2, 130
SPACE_BOX, SPACE_DISCRETE = 0, 1
AUTORESET_SAME_STEP, AUTORESET_NEXT_STEP = 0, 1


def _find_library():
    env = os.environ.get("ACRL_LIBRARY")
    if env:
        return env
    try:
        from . import _paths  # written by make install
        if os.path.exists(_paths.LIBRARY):
            return _paths.LIBRARY
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    src_build = os.path.join(here, "..", "..", "build", "libacrl.so")
    if os.path.exists(src_build):
        return os.path.normpath(src_build)
    found = ctypes.util.find_library("acrl")
    if found:
        return found
    raise ImportError("acrl: cannot find libacrl.so: run `make` (the package then finds build/libacrl.so), "
                      "`make install`, or set ACRL_LIBRARY to the library's path")


LIBRARY_PATH = _find_library()
# RTLD_GLOBAL: plugins loaded later resolve acrl_env_register and the rest against this copy
lib = ctypes.CDLL(LIBRARY_PATH, mode=ctypes.RTLD_GLOBAL)


class Space(Structure):
    _fields_ = [("kind", c_int), ("dim", c_int), ("n", c_int), ("low", POINTER(c_float)),
                ("high", POINTER(c_float))]


class EnvHead(Structure):
    """The leading fields of struct acrl_env (the rest is not read from Python)."""
    _fields_ = [("vt", c_void_p), ("id", c_char_p), ("obs_space", Space), ("act_space", Space),
                ("state_dim", c_int)]


class EnvOptions(Structure):
    _fields_ = [("max_episode_steps", c_int), ("model_path", c_char_p)]


CREATE_FN = CFUNCTYPE(c_void_p, POINTER(EnvOptions), c_void_p, c_size_t)


class EnvSpec(Structure):
    _fields_ = [("id", c_char_p), ("max_episode_steps", c_int), ("solved_threshold", c_double),
                ("create", CREATE_FN)]


RESET_FN = CFUNCTYPE(None, c_void_p, c_uint64, POINTER(c_float))
STEP_FN = CFUNCTYPE(None, c_void_p, POINTER(c_float), POINTER(c_float), POINTER(c_double), POINTER(c_bool),
                    POINTER(c_bool))
CLOSE_FN = CFUNCTYPE(None, c_void_p)


class EnvCallbacks(Structure):
    _fields_ = [("user", c_void_p), ("reset", RESET_FN), ("step", STEP_FN), ("close", CLOSE_FN)]


class VecEnv(Structure):
    _fields_ = [("num_envs", c_int), ("obs_dim", c_int), ("act_dim", c_int), ("envs", POINTER(c_void_p)),
                ("obs", POINTER(c_float)), ("rewards", POINTER(c_double)), ("terminated", POINTER(c_bool)),
                ("truncated", POINTER(c_bool)), ("final_obs", POINTER(c_float)),
                ("episode_return", POINTER(c_double)), ("episode_length", POINTER(c_int)),
                ("done_return", POINTER(c_double)), ("done_length", POINTER(c_int)), ("impl", c_void_p)]


NOTICE_FN = CFUNCTYPE(None, c_void_p, c_char_p)

class TrainOptions(Structure):
    _fields_ = [("algo", c_char_p), ("env_id", c_char_p), ("steps", c_long), ("stop_at", c_long),
                ("seed", c_int64), ("num_envs", c_int), ("threads", c_int), ("out_dir", c_char_p),
                ("config_file", c_char_p), ("overrides", POINTER(c_char_p)), ("n_overrides", c_int),
                ("resume_dir", c_char_p), ("eval_episodes", c_int), ("quiet", c_bool),
                ("stop_flag", POINTER(c_int)),       # volatile sig_atomic_t*: int on Linux
                ("fault_nan_at", c_long),
                ("notice", NOTICE_FN), ("notice_user", c_void_p), ("run_dir", c_char * 1024)]


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


env_make = _fn("acrl_env_make", c_void_p, c_char_p, POINTER(EnvOptions), c_char_p, c_size_t)
env_reset = _fn("acrl_env_reset", None, c_void_p, c_int64, c_void_p)
env_step = _fn("acrl_env_step", None, c_void_p, c_void_p, c_void_p, POINTER(c_double), POINTER(c_bool),
               POINTER(c_bool))
env_close = _fn("acrl_env_close", None, c_void_p)
env_options_default = _fn("acrl_env_options_default", EnvOptions)
env_register = _fn("acrl_env_register", c_int, POINTER(EnvSpec), c_char_p, c_size_t)
env_spec_find = _fn("acrl_env_spec_find", POINTER(EnvSpec), c_char_p)
env_count = _fn("acrl_env_count", c_int)
env_spec_at = _fn("acrl_env_spec_at", POINTER(EnvSpec), c_int)
env_from_callbacks = _fn("acrl_env_from_callbacks", c_void_p, c_char_p, POINTER(EnvCallbacks), POINTER(Space),
                         POINTER(Space), c_void_p, c_size_t)

vecenv_make = _fn("acrl_vecenv_make", POINTER(VecEnv), c_char_p, c_int, c_uint64, c_int, POINTER(EnvOptions),
                  c_char_p, c_size_t)
vecenv_set_autoreset = _fn("acrl_vecenv_set_autoreset", None, POINTER(VecEnv), c_int)
vecenv_reseed = _fn("acrl_vecenv_reseed", None, POINTER(VecEnv), c_uint64)
vecenv_reset = _fn("acrl_vecenv_reset", None, POINTER(VecEnv))
vecenv_step = _fn("acrl_vecenv_step", None, POINTER(VecEnv), c_void_p)
vecenv_step_raw = ctypes.CDLL(LIBRARY_PATH).acrl_vecenv_step   # no argtypes: c_void_p arguments only
vecenv_step_raw.restype = None
vecenv_close = _fn("acrl_vecenv_close", None, POINTER(VecEnv))

train_options_default = _fn("acrl_train_options_default", TrainOptions)
train = _fn("acrl_train", c_int, POINTER(TrainOptions), c_char_p, c_size_t)

agent_load = _fn("acrl_agent_load", c_void_p, c_char_p, c_char_p, c_size_t)
agent_free = _fn("acrl_agent_free", None, c_void_p)
agent_algo = _fn("acrl_agent_algo", c_char_p, c_void_p)
agent_env_id = _fn("acrl_agent_env_id", c_char_p, c_void_p)
agent_obs_space = _fn("acrl_agent_obs_space", POINTER(Space), c_void_p)
agent_act_space = _fn("acrl_agent_act_space", POINTER(Space), c_void_p)
agent_act = _fn("acrl_agent_act", None, c_void_p, c_void_p, c_int, c_void_p, c_bool)


def errbuf():
    return ctypes.create_string_buffer(ERRLEN)


def errstr(buf):
    return buf.value.decode("utf-8", "replace")


def encode(s, what):
    if not isinstance(s, str):
        raise ValueError(f"{what} must be a string, got {type(s).__name__}")
    return s.encode("utf-8")
