"""The scenario's `traffic:` clients on a real swarm: a load generator with the simulator's semantics.

Each client sends Poisson arrivals at its rate between its start and stop (scenario seconds, the
observer's time base), one thread per request, and writes the same `request` events as
sim/traffic.py with the outcome names of docs/reference/trace.md. A client outside the swarm
connects from this host to a node's published port (`via`, or a node at random per request);
a client inside (`from: SERVICE`) runs in the network namespace of one of that service's running
containers (picked at random per request; the container's PID is in this host's PID namespace on
the local swarm only), asks Docker's embedded DNS at 127.0.0.11 for the target name, and connects
to the first address of the answer.

The containers serve SERVER_SCRIPT on the port the traffic reaches (validation/docker_backend.py):
one line per request, the request's `duration` in seconds, answered after that long with the task
and node that served it, so `duration`, `keepalive` (several lines on one connection), `timeout`
and `retries` mean what they mean in the simulator. What the client sees is named as the simulator
names it: connect refused -> `connection refused`, no answer in time -> `timeout`, the connection
closed or reset before the answer -> `reset` (the serving process ended), no DNS answer -> `dns`.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

from swarmsim.model.scenario import TrafficClient

PER_REQUEST_MAX_RATE = 20.0        # as sim/traffic.py: above it, per-second aggregates
SERVER = "/tmp/swarmsim-serve"     # the per-connection handler inside the container
SERVER_SCRIPT = ("#!/bin/sh", 'while read d; do sleep "$d"; echo "ok $SWARMSIM_TASK $SWARMSIM_NODE"; done')
TASK_ENV = ("SWARMSIM_TASK={{.Service.Name}}.{{.Task.Slot}}", "SWARMSIM_NODE={{.Node.Hostname}}")
EMBEDDED_DNS = ("127.0.0.11", 53)
SOURCES_POLL = 0.5                 # s between looks at which tasks of a `from:` service run
CLONE_NEWNET = 0x40000000

REFUSED = "connection refused"                        # host mode: no task (or none listening) on that node
REFUSED_NOT_LISTENING = "connection refused: not listening"
RESET = "reset: connection reset by peer"
TIMEOUT_NODE = "timeout: node unreachable"
TIMEOUT_BACKEND = "timeout: backend node unreachable"
TIMEOUT_SLOW = "timeout: no answer in time"
TIMEOUT_GONE = "timeout: no task at that address"


def server_command(port: int, start_time: float) -> str:
    """The shell fragment a container runs to serve traffic on `port` once `start_time` has elapsed
    (busybox `nc -ll -e` forks the handler per connection)."""
    lines = " ".join(f"'{line}'" for line in SERVER_SCRIPT)
    return (f"(mkdir -p {os.path.dirname(SERVER)}; printf '%s\\n' {lines} > {SERVER}; chmod +x {SERVER}; sleep {start_time:g}; "
            f"nc -ll -p {port} -e {SERVER}) &")


def targets(clients: tuple[TrafficClient, ...], spec) -> tuple[int, ...]:
    """The container ports of service `spec` that the clients reach: the targets of the published ports
    outside clients call, and the port of inside clients' SERVICE or tasks.SERVICE."""
    outside = {c.port for c in clients if c.source is None}
    ports = [p.target for p in spec.endpoint.ports if p.published in outside]
    ports += [c.port for c in clients if c.source is not None
              and c.target.partition(":")[0].removeprefix("tasks.") == spec.name]
    return tuple(dict.fromkeys(ports))


# -- the embedded DNS, asked by hand (busybox's libc resolver is unusable, local-swarm.md) ----------------------

def query(name: str, ident: int) -> bytes:
    """A DNS query for the A records of `name`, recursion desired."""
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p)
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)


def _skip_name(msg: bytes, i: int) -> int:
    while msg[i]:
        if msg[i] & 0xC0 == 0xC0:
            return i + 2
        i += msg[i] + 1
    return i + 1


def resolve(name: str, timeout: float) -> list[str]:
    """The A records 127.0.0.11 answers for `name`, in its order; [] when none or no answer in time."""
    ident = random.getrandbits(16)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query(name, ident), EMBEDDED_DNS)
        try:
            msg = s.recv(4096)
        except (socket.timeout, OSError):
            return []
    return answers(msg, ident)


def answers(msg: bytes, ident: int) -> list[str]:
    """The IPv4 addresses of a DNS reply to query `ident`; [] for another query's reply or an error code."""
    if len(msg) < 12:
        return []
    got, flags, qd, an = struct.unpack(">HHHH", msg[:8])
    if got != ident or flags & 0xF:
        return []
    i = 12
    for _ in range(qd):
        i = _skip_name(msg, i) + 4
    out = []
    for _ in range(an):
        i = _skip_name(msg, i)
        rtype, _cls, _ttl, size = struct.unpack(">HHIH", msg[i:i + 10])
        i += 10
        if rtype == 1 and size == 4:
            out.append(socket.inet_ntoa(msg[i:i + 4]))
        i += size
    return out


_libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(pid: int) -> None:
    """Move the calling thread (only it) into the network namespace of process `pid`."""
    fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into the network namespace of {pid}")
    finally:
        os.close(fd)


# -- the runner -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A running task of a `from:` service: its logical name, node and the PID of its container."""

    task: str
    node: str
    pid: int


@dataclass
class _Attempt:
    err: str = ""
    task: str | None = None
    node: str | None = None


@dataclass
class _Client:
    index: int
    spec: TrafficClient
    rng: random.Random
    conn: socket.socket | None = None       # keepalive: the kept connection
    cached: list[str] = field(default_factory=list)   # refresh: the addresses last resolved
    cached_until: float = -1.0
    turn: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class TrafficRunner:
    """Runs `clients` against a swarm; `emit(t, "request", **fields)` writes the events.

    `addresses`: scenario node name -> the address its published ports answer on. `names`: a real
    node's hostname -> the scenario's node name (what the servers report). `sources(service)`: the
    running tasks of a service with their containers' PIDs, for inside clients (None: not possible
    on this swarm). `now()`: scenario seconds.
    """

    def __init__(self, clients: tuple[TrafficClient, ...], emit: Callable[..., None], now: Callable[[], float],
                 addresses: Mapping[str, str], names: Mapping[str, str], seed: int = 0,
                 sources: Callable[[str], list[Source]] | None = None):
        self.clients, self.emit, self.now = clients, emit, now
        self.addresses, self.names, self.seed = dict(addresses), dict(names), seed
        self.sources = sources
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._inflight: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._buckets: dict[tuple[int, int], list[int]] = {}
        self._running: dict[str, tuple[float, list[Source]]] = {}
        self.end: float | None = None

    def start(self) -> "TrafficRunner":
        for index, client in enumerate(self.clients):
            thread = threading.Thread(target=self._arrivals, args=(index, client), daemon=True,
                                      name=f"swarmsim-traffic-{index}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop sending; a request still open now is not recorded (as in the simulator). Idempotent."""
        if self.end is not None:
            return
        self.end = self.now()
        self._stop.set()
        for thread in self._threads:
            thread.join()
        with self._lock:
            open_now = list(self._inflight)
        for thread in open_now:
            thread.join(timeout=0.1)
        self._flush()

    # -- arrivals ----------------------------------------------------------------------------------------------
    def _arrivals(self, index: int, client: TrafficClient) -> None:
        rng = random.Random(f"{self.seed}:traffic.{index}")
        state = _Client(index, client, rng)
        if self._stop.wait(max(0.0, client.start - self.now())):
            return
        due = max(client.start, self.now())
        while True:
            due += rng.expovariate(client.rate)
            if client.stop is not None and due >= client.stop:
                return
            if self._stop.wait(max(0.0, due - self.now())):
                return
            thread = threading.Thread(target=self._exchange, args=(state, due), daemon=True)
            with self._lock:
                self._inflight.add(thread)
            thread.start()

    # -- one request -------------------------------------------------------------------------------------------
    def _exchange(self, state: _Client, sent: float) -> None:
        client = state.spec
        try:
            origin = None
            if client.source is None:
                origin = client.via if client.via != "any" else state.rng.choice(sorted(self.addresses))
            attempts, attempt, entry = 0, _Attempt(), origin
            with state.lock if client.keepalive else contextlib.nullcontext():  # one request at a time per kept connection
                while True:
                    if client.source is None:
                        attempt = self._outside(state, origin, sent)
                    else:
                        picked = self._source(state)
                        if picked is None:   # no task of the source service runs: nobody sends
                            break
                        entry = picked.node
                        attempt = self._in_namespace(picked.pid, self._inside, state, sent)
                    attempts += 1
                    if not attempt.err or attempts > client.retries:
                        break
            if attempts:
                self._record(state, entry, sent, attempt, attempts)
        finally:
            with self._lock:
                self._inflight.discard(threading.current_thread())

    def _outside(self, state: _Client, via: str, sent: float) -> _Attempt:
        addr = self.addresses.get(via)
        if addr is None:
            return _Attempt(TIMEOUT_NODE)
        return self._talk(state, (addr, state.spec.port), sent, refused=REFUSED, unreachable=TIMEOUT_NODE)

    def _inside(self, state: _Client, sent: float) -> _Attempt:
        """From the current thread's namespace (a source task's): resolve, then one connection."""
        client = state.spec
        name = client.target.partition(":")[0]
        if state.conn is not None:
            return self._talk(state, None, sent, refused=REFUSED_NOT_LISTENING, unreachable=TIMEOUT_BACKEND)
        now = self.now()
        if client.refresh and now < state.cached_until and state.cached:
            addr = state.cached[state.turn % len(state.cached)]
            state.turn += 1
            return self._talk(state, (addr, client.port), sent, refused=REFUSED_NOT_LISTENING,
                              unreachable=TIMEOUT_GONE)
        answer = resolve(name, max(0.001, sent + client.timeout - now))
        if not answer:
            return _Attempt(f"dns: no such host {name}")
        if client.refresh:
            state.cached, state.cached_until, state.turn = answer, now + client.refresh, 1
        return self._talk(state, (answer[0], client.port), sent, refused=REFUSED_NOT_LISTENING,
                          unreachable=TIMEOUT_BACKEND)

    def _talk(self, state: _Client, addr: tuple[str, int] | None, sent: float, refused: str,
              unreachable: str) -> _Attempt:
        """One request on a new connection to `addr` (None: the kept one): connect, send the duration, read."""
        client = state.spec
        kept = addr is None
        deadline = time.monotonic() + max(0.001, sent + client.timeout - self.now())
        sock = state.conn
        if sock is None:
            if kept:
                return _Attempt(RESET)
            try:
                sock = socket.create_connection(addr, timeout=max(0.001, deadline - time.monotonic()))
            except ConnectionRefusedError:
                return _Attempt(refused)
            except (socket.timeout, TimeoutError):
                return _Attempt(unreachable)
            except OSError as err:
                return _Attempt(unreachable if err.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) else refused)
        try:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            sock.sendall(f"{client.duration:g}\n".encode())
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(256)
                if not chunk:
                    raise ConnectionResetError
                reply += chunk
        except (socket.timeout, TimeoutError):
            self._drop(state, sock)
            return _Attempt(TIMEOUT_SLOW if client.duration >= client.timeout else unreachable)
        except OSError:
            self._drop(state, sock)
            return _Attempt(RESET)
        words = reply.decode(errors="replace").split()
        task = words[1] if len(words) > 1 else None
        node = self.names.get(words[2], words[2]) if len(words) > 2 else None
        if client.keepalive:
            state.conn = sock
        else:
            sock.close()
        return _Attempt("", task, node)

    @staticmethod
    def _drop(state: _Client, sock: socket.socket) -> None:
        sock.close()
        if state.conn is sock:
            state.conn = None

    # -- inside clients ----------------------------------------------------------------------------------------
    def _source(self, state: _Client) -> Source | None:
        """One running task of the `from:` service, picked at random (the list refreshed every SOURCES_POLL)."""
        service = state.spec.source
        with self._lock:
            at, found = self._running.get(service, (-1.0, []))
        if self.now() - at > SOURCES_POLL:
            found = self.sources(service) if self.sources is not None else []
            with self._lock:
                self._running[service] = (self.now(), found)
        return state.rng.choice(found) if found else None

    def _in_namespace(self, pid: int, call, *args) -> _Attempt:
        """`call(*args)` in a fresh thread that has entered the network namespace of `pid` (setns is per thread)."""
        out: list[_Attempt] = []

        def run() -> None:
            try:
                enter_netns(pid)
            except OSError:
                out.append(_Attempt(TIMEOUT_BACKEND))   # the container is gone: its network with it
                return
            out.append(call(*args))
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join()
        return out[0]

    # -- events ------------------------------------------------------------------------------------------------
    def _record(self, state: _Client, via: str | None, sent: float, attempt: _Attempt, attempts: int) -> None:
        client = state.spec
        done = self.now()
        if self.end is not None and done > self.end:
            return
        ok = not attempt.err
        if client.rate > PER_REQUEST_MAX_RATE:
            with self._lock:
                bucket = self._buckets.setdefault((state.index, int(sent)), [0, 0])
                bucket[0] += 1
                bucket[1] += 0 if ok else 1
            return
        if client.plain:
            latency = done - sent if ok else client.timeout if attempt.err.startswith("timeout") else None
            extra = {}
        else:
            latency = done - sent
            extra = {"attempts": attempts, **({"source": client.source, "target": client.target}
                                              if client.source else {})}
        self.emit(sent, "request", port=client.port, ok=ok, latency=round(latency, 6) if latency is not None
                  else None, via=via, node=attempt.node, task=attempt.task, err=attempt.err, **extra)

    def _flush(self) -> None:
        for (index, second), (count, failed) in sorted(self._buckets.items()):
            client = self.clients[index]
            target = {"target": client.target} if client.source else {}
            self.emit(float(second), "request", port=client.port, via=client.via, count=count, failed=failed,
                      interval=1.0, **target)
        self._buckets.clear()
