"""Several app processes on one port, each with a listening socket of its own.

uvicorn's own ``--workers`` shares one listening socket between its processes, and whichever
process wakes first accepts every connection waiting: a burst of keep-alive connections (a
load balancer's pool, say) lands on one process while the others idle. With ``SO_REUSEPORT``
each process listens on its own socket and the kernel spreads new connections across them.

The supervisor starts the workers, stops them all on SIGINT or SIGTERM, and replaces one that
dies after it was up; one that dies during start-up ends the command (bad settings or a port in
use would only fail again). A worker ends with its supervisor even when that is killed outright
(SIGKILL, the OOM killer): the kernel signals it.

Linux lets only processes of the same user share a port this way, and another FailSafe started
by that user on the same port would join in: give each deployment its own port.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import structlog
import uvicorn

from failsafe.errors import ConfigurationError

log = structlog.get_logger(__name__)

# What each worker imports to build its app from the environment's settings.
APP_FACTORY = "failsafe.web.app:app_from_environment"

# prctl(2) option: the signal this process gets when its parent dies.
_PR_SET_PDEATHSIG = 1

# A worker that exits sooner than this after starting is failing to start, not crashing.
START_GRACE_SECONDS = 10.0


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket on ``host:port`` that other processes may also listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def end_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies (Linux), so a supervisor
    killed outright leaves no worker serving behind it."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        log.warning("web.parent_death_signal_unavailable", errno=ctypes.get_errno())
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def run_worker(host: str, port: int, access_log: bool, parent: int) -> None:
    """One worker process: its own socket, the app from the environment, until signalled."""
    end_with_parent(parent)
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        access_log=access_log,
    )
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


class Supervisor:
    """Keeps ``workers`` processes serving ``host:port`` until told to stop."""

    def __init__(self, host: str, port: int, workers: int, *, access_log: bool = True) -> None:
        self.host = host
        self.port = port
        self.workers = workers
        self.access_log = access_log
        self.stopping = False
        self._context = multiprocessing.get_context("spawn")
        self._started: dict[BaseProcess, float] = {}
        self._failure: str | None = None

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM; raise if a worker cannot start."""
        # Bound here first, so a port in use is one clear error, not N failing workers.
        try:
            listening_socket(self.host, self.port).close()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from exc
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        for _ in range(self.workers):
            self._start()
        log.info("web.serving", host=self.host, port=self.port, workers=self.workers)
        while self._started:
            for sentinel in wait([process.sentinel for process in self._started]):
                self._reap(next(p for p in self._started if p.sentinel == sentinel))
        if self._failure is not None:  # raised once every other worker has stopped too
            raise ConfigurationError(self._failure)

    def _start(self) -> None:
        process = self._context.Process(
            target=run_worker, args=(self.host, self.port, self.access_log, os.getpid())
        )
        process.start()
        self._started[process] = time.monotonic()
        log.info("web.worker_started", pid=process.pid)

    def _reap(self, process: BaseProcess) -> None:
        started = self._started.pop(process)
        process.join()
        if self.stopping:
            return
        log.error("web.worker_exited", pid=process.pid, exit_code=process.exitcode)
        if time.monotonic() - started < START_GRACE_SECONDS:
            self._failure = f"a web worker exited during start-up (exit code {process.exitcode})"
            self._stop(signal.SIGTERM, None)
            return
        self._start()

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        for process in self._started:
            process.terminate()
