"""What a real swarm did, as a swarmsim trace (the contract of docs/reference/trace.md).

Docker reports no task events, so a thread polls tasks, services and nodes on a
manager (20 Hz by default) and writes an event whenever a field of the contract
changes. Times are the swarm's own timestamps (a task's Status.Timestamp, a
service's UpdateStatus times, UpdatedAt otherwise) relative to the scenario
start, so the poll period limits which short states are seen, not how exact the
times are. Only services labelled with this run's id are observed, and only the
nodes the scenario names. Stacks the run deployed with the real `docker stack deploy` carry no run
label; their services are found by their `com.docker.stack.namespace` label instead.
"""
from __future__ import annotations

import threading
import time
from typing import Mapping

from swarmsim.model.stack import NAMESPACE_LABEL
from swarmsim.trace import Trace, TraceWriter

from .measure import swarm_time

RUN_LABEL = "swarmsim.run"      # on every service and network a run creates
IMAGE_LABEL = "swarmsim.image"  # container label: the scenario's image, which the trace reports


class Observer:
    """Poll `clients` (managers; the next is tried when one fails) and write trace events.

    `hostnames` maps a real node's hostname to the scenario's node name; `t0` is the
    scenario start in epoch seconds (the managers' clock, which here is this machine's).
    """

    def __init__(self, clients: list, writer: TraceWriter, t0: float, run_id: str,
                 hostnames: Mapping[str, str], hz: float = 20.0, namespaces: set[str] | None = None):
        self.clients, self.writer, self.t0, self.run_id = list(clients), writer, t0, run_id
        self.namespaces = namespaces if namespaces is not None else set()  # the backend adds to it
        self.hostnames = dict(hostnames)
        self.period = 1.0 / hz
        self.polls, self.errors = 0, []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="swarmsim-observer", daemon=True)
        self._services: dict[str, str] = {}          # service ID -> name, also after removal
        self._service_last: dict[str, tuple] = {}
        self._tasks: dict[str, tuple] = {}   # task ID -> (name, gen, last fields, service, slot)
        self._gens: dict[tuple[str, str], int] = {}
        self._node_last: dict[str, tuple] = {}
        self.node_ids: dict[str, str] = {}           # real node ID -> scenario name (every ID ever seen)

    # -- thread --------------------------------------------------------------------------------------
    def start(self) -> "Observer":
        self.poll()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling after one last poll, so the end of the run is in the trace. Idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            self.poll()
        except Exception as exc:  # the swarm may be gone (a crashed leader); the trace so far stands
            self.errors.append(repr(exc))

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.poll()
            except Exception as exc:  # a busy or dead manager must not end the recording: try the next
                self.errors.append(f"{time.time():.3f} {exc!r}")
                self.clients.append(self.clients.pop(0))
            self._stop.wait(max(0.0, self.period - (time.monotonic() - began)))

    def emit(self, t: float, kind: str, **fields) -> None:
        with self._lock:
            self.writer.emit(max(0.0, t), kind, **fields)

    def finish(self) -> Trace:
        with self._lock:
            return self.writer.finish()

    def rel(self, stamp: str | None, fallback: float) -> float:
        at = swarm_time(stamp)
        return (at if at is not None else fallback) - self.t0

    # -- one poll ------------------------------------------------------------------------------------
    def poll(self) -> None:
        api = self.clients[0].api
        nodes = api.nodes()
        services = run_services(api, self.run_id, self.namespaces)
        tasks = api.tasks() if services or self._services else []
        now = time.time()
        with self._lock:
            self.polls += 1
            self._observe_nodes(nodes, now)
            self._observe_services(services, now)
            for t in sorted(tasks, key=lambda t: t["CreatedAt"]):
                if t["ServiceID"] in self._services:
                    self._observe_task(t, now)
            self._observe_deletions({t["ID"] for t in tasks}, now)

    def _observe_nodes(self, nodes: list[dict], now: float) -> None:
        newest: dict[str, dict] = {}  # a node that left and joined again is listed twice: the newer counts
        for n in sorted(nodes, key=lambda n: n["CreatedAt"]):
            name = self.hostnames.get(n["Description"]["Hostname"])
            if name is not None:
                self.node_ids[n["ID"]] = name
                newest[name] = n
        for name, n in newest.items():
            fields = (n["Status"]["State"], n["Spec"]["Availability"], n["Spec"]["Role"],
                      bool(n.get("ManagerStatus", {}).get("Leader")))
            if self._node_last.get(name) != fields:
                t = 0.0 if name not in self._node_last else self.rel(n["UpdatedAt"], now)
                self._node_last[name] = fields
                self.writer.emit(max(0.0, t), "node", node=name, status=fields[0], availability=fields[1],
                                 role=fields[2], leader=fields[3])

    def _observe_services(self, services: list[dict], now: float) -> None:
        seen = set()
        for s in services:
            sid, spec, status = s["ID"], s["Spec"], s.get("UpdateStatus") or {}
            seen.add(sid)
            self._services[sid] = spec["Name"]
            replicas = spec["Mode"]["Replicated"].get("Replicas", 0) if "Replicated" in spec["Mode"] else None
            fields = (status.get("State") or None, status.get("Message", ""), replicas)
            old = self._service_last.get(sid)
            if old == fields:
                continue
            if old is not None and fields[0] == old[0] and fields[1] == old[1]:
                t = self.rel(s["UpdatedAt"], now)            # only the replicas changed
            elif fields[0] in ("updating", "rollback_started"):
                t = self.rel(status.get("StartedAt"), now)
            elif fields[0] is not None:
                t = self.rel(status.get("CompletedAt"), now)
            else:
                t = self.rel(s["UpdatedAt"], now)
            self._service_last[sid] = fields
            self._emit_service(t, spec["Name"], *fields)
        for sid in [sid for sid in self._service_last if sid not in seen]:
            del self._service_last[sid]
            self._emit_service(now - self.t0, self._services[sid], None, "removed", 0)

    def _emit_service(self, t: float, name: str, state, msg: str, replicas) -> None:
        self.writer.emit(max(0.0, t), "service", service=name, update_state=state, msg=msg, replicas=replicas)

    def _observe_deletions(self, listed: set[str], now: float) -> None:
        """Tasks no longer listed were deleted (the task reaper, or their node removed): gone at this poll."""
        for task_id in [i for i in self._tasks if i not in listed]:
            name, gen, (state, desired, node, _msg, _err), service, slot = self._tasks.pop(task_id)
            self.writer.emit(now - self.t0, "deleted", task=name, gen=gen, service=service, slot=slot, node=node,
                             state=state, desired=desired)

    def _observe_task(self, t: dict, now: float) -> None:
        status, service = t["Status"], self._services[t["ServiceID"]]
        node = self.node_ids.get(t.get("NodeID") or "")
        slot = t.get("Slot") or 0
        fields = (status["State"], t["DesiredState"], node, status.get("Message", ""), status.get("Err", ""))
        known = self._tasks.get(t["ID"])
        if known is None:
            numbered = slot or node is None  # a replicated job's slot 0 has no node yet; a global task has one
            key = (service, str(slot) if numbered else f"@{node}")
            self._gens[key] = self._gens.get(key, 0) + 1
            name = f"{service}.{slot}" if numbered else f"{service}@{node}"
            known = (name, self._gens[key], (), service, slot)
        name, gen, last = known[:3]
        if fields == last:
            return
        self._tasks[t["ID"]] = (name, gen, fields, service, slot)
        status_changed = not last or (fields[0], fields[3], fields[4]) != (last[0], last[3], last[4])
        when = self.rel(status["Timestamp"] if status_changed else t["UpdatedAt"], now)
        labels = t["Spec"]["ContainerSpec"].get("Labels") or {}
        image = labels.get(IMAGE_LABEL, t["Spec"]["ContainerSpec"]["Image"])
        self.writer.emit(max(0.0, when), "task", task=name, gen=gen, service=service, slot=slot, node=node,
                         state=fields[0], desired=fields[1], image=image, msg=fields[3], err=fields[4])


def run_services(api, run_id: str, namespaces: set[str]) -> list[dict]:
    """The services of this run: labelled with its id, or in one of the stacks it deployed."""
    found = {s["ID"]: s for s in api.services(filters={"label": f"{RUN_LABEL}={run_id}"})}
    for namespace in sorted(namespaces):
        found.update((s["ID"], s) for s in api.services(filters={"label": f"{NAMESPACE_LABEL}={namespace}"}))
    return list(found.values())


def header(scenario, extra: Mapping[str, object] | None = None) -> dict:
    """The trace header of a real run (the simulator writes the same keys with backend "sim")."""
    from swarmsim import __version__
    return {"backend": "real", "scenario": scenario.name, "seed": scenario.seed,
            "nodes": [n.name for n in scenario.nodes], "swarmsim": __version__, **(extra or {})}

