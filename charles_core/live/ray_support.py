"""Ray for the live system: the token, connecting, bounded waits, per-process set-up.

Ray is imported only here and in the modules that run inside Ray processes, so
``import charles_core`` never needs it (it is the optional extra ``live``).
"""

from __future__ import annotations

import os
import resource
import secrets
import stat
import sys
import time
from pathlib import Path

from charles_core.errors import ConfigError, MissingDependencyError, StorageError
from charles_core.live.live_timeout_error import LiveTimeoutError

NAMESPACE = "charles_live"
AUTH_MODE_ENV = "RAY_AUTH_MODE"
TOKEN_PATH_ENV = "RAY_AUTH_TOKEN_PATH"
TOKEN_ENV = "RAY_AUTH_TOKEN"
#: hidden from collectors and players, so only the trainer takes a GPU
HIDE_GPUS = {"CUDA_VISIBLE_DEVICES": ""}


def import_ray():
    """``ray``, or a one-line MissingDependencyError naming the extra."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("charles live needs Ray: pip install 'charles-core[live]'") from None
    return ray


def token_path() -> Path:
    """Where Ray reads its token: ``$RAY_AUTH_TOKEN_PATH``, else ``~/.ray/auth_token`` (Ray's default)."""
    return Path(os.environ.get(TOKEN_PATH_ENV) or Path.home() / ".ray" / "auth_token")


def ensure_token(create: bool) -> Path | None:
    """Token authentication on, with an owner-only token file.

    Ray 2.52+ checks a token on every gRPC call when ``RAY_AUTH_MODE=token``.
    Ray writes the token it generates with the default umask (readable by the
    group and others); this writes it (or tightens an existing one) to mode
    0600 instead.

    Args:
        create: create a missing token (a new local cluster); when joining a
            cluster the head's token must be here already.

    Returns:
        The token file, or ``None`` when the token comes from ``$RAY_AUTH_TOKEN``.

    Raises:
        ConfigError: ``RAY_AUTH_MODE`` is set to something else, or no token to join with.
        StorageError: the token file cannot be written or secured.
    """
    mode = os.environ.get(AUTH_MODE_ENV)
    if mode is not None and mode.lower() != "token":
        raise ConfigError(
            f"charles live runs Ray with token authentication, but {AUTH_MODE_ENV}={mode}; "
            f"unset it or set {AUTH_MODE_ENV}=token"
        )
    os.environ[AUTH_MODE_ENV] = "token"
    if os.environ.get(TOKEN_ENV):
        return None
    path = token_path()
    try:
        if not path.exists():
            if not create:
                raise ConfigError(
                    f"no Ray token at {path}: copy the head node's token there (`ray get-auth-token` "
                    f"on the head) or set {TOKEN_PATH_ENV}"
                )
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)  # a token others can read lets them run code in the cluster
    except OSError as error:
        raise StorageError(f"cannot write or secure the Ray token file {path}: {error.strerror}") from None
    return path


def connect(address: str | None, num_cpus: int | None = None, log_to_driver: bool = False) -> bool:
    """Join ``address`` (``host:port`` of a ``ray start --head``) or start a local Ray instance.

    A local instance has no dashboard; Ray's own processes are listed in docs/live.md
    (what listens, and where). Returns whether this call started Ray (so it should
    shut it down); an already initialised Ray (tests, notebooks) is reused.
    """
    if "ray" in sys.modules and sys.modules["ray"].is_initialized():
        return False
    ensure_token(create=address is None)
    ray = import_ray()
    _reload_auth_settings()
    options = {"namespace": NAMESPACE, "log_to_driver": log_to_driver, "configure_logging": False}
    try:
        if address is None:
            # address="local": always a new instance, never a cluster someone else started on this machine
            ray.init(address="local", include_dashboard=False, num_cpus=num_cpus, **options)
        else:
            ray.init(address=address, **options)
    except ConnectionError as error:
        raise ConfigError(
            f"cannot join the Ray cluster at {address}: {error}; start it with `ray start --head` and pass its address"
        ) from None
    return True


def _reload_auth_settings() -> None:
    """Make an already imported Ray see ``RAY_AUTH_MODE`` and the token file.

    Ray reads its settings and caches the token once per process, on import; a
    process that imported Ray before :func:`ensure_token` (a test, a notebook)
    would start or join the cluster without a token. Ray's own ``ray.init`` path
    refreshes them the same way when it turns token authentication on.
    """
    from ray._raylet import AuthenticationTokenLoader, Config

    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


def bounded_get(ray, refs, timeout_s: float, what: str, hint: str = ""):
    """``ray.get(refs, timeout=timeout_s)``, raising :class:`LiveTimeoutError` naming ``what``."""
    try:
        return ray.get(refs, timeout=timeout_s)
    except ray.exceptions.GetTimeoutError:
        raise LiveTimeoutError(what, timeout_s, hint) from None


def call_while_restarting(ray, make_call, timeout_s: float, what: str, stop=None, call_timeout_s: float = 30.0):
    """``ray.get(make_call())``, retried while the actor restarts, for at most ``timeout_s``.

    A call to an actor Ray is restarting fails at once (``ActorUnavailableError``);
    one in flight when it died fails too. Both are retried every half second, so a
    caller rides out a restart; a permanent death or ``timeout_s`` raises
    :class:`LiveTimeoutError` naming ``what``. ``stop`` (an Event) ends the wait early
    (returns ``None``).
    """
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise LiveTimeoutError(what, timeout_s, f"last: {last}")
        try:
            return ray.get(make_call(), timeout=min(left, call_timeout_s))
        except ray.exceptions.GetTimeoutError:
            last = "no answer"
        except ray.exceptions.RayActorError as error:
            last = str(error).splitlines()[0][:160]
        if stop is not None and stop.is_set():
            return None
        time.sleep(0.5)


def set_tensorflow_threads(intra_op: int | None, inter_op: int = 1) -> None:
    """Thread counts for this process's TensorFlow, before its first op.

    Several processes share a node's cores: each TensorFlow would start a pool as
    large as the node, and they would fight over it.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(intra_op or os.cpu_count() or 1))
        tf.config.threading.set_inter_op_parallelism_threads(int(inter_op))
    except RuntimeError:
        pass  # TensorFlow already ran an op in this process (a reused worker): its pools are set


def lower_priority(nice: int) -> None:
    """Lower this process's scheduling priority by ``nice`` (0: leave it), so the trainer gets the cores first."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
