"""Measure a real local swarm (see localswarm.py) so swarmsim's timing and scheduler rest on facts.

Every experiment runs on a fresh swarm, while a :class:`Recorder` polls the manager for all
tasks (and services and nodes) at 20 Hz and keeps every distinct observation. Task state
changes are timestamped with the swarm's own clock (``Status.Timestamp``), so the poll
period only limits which short-lived states are *seen*, not the accuracy of the times.

Raw observations go to ``validation/measurements/<experiment>.json`` together with a
``summary`` computed from them. Usage::

    python -m validation.measure a b c     # run experiments a, b and c
    python -m validation.measure all

Service creation and updates go through the Engine API with API version >= 1.30, where the
daemon does not query a registry to pin the image digest (that lookup is done by the docker
CLI, and skipped with ``--no-resolve-image``). The SDK never does that lookup, so SDK calls
are the equivalent of ``--no-resolve-image``.
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from docker import types

from validation import localswarm
from validation.localswarm import IMAGE, LocalSwarm

OUT_DIR = Path(__file__).resolve().parent / "measurements"
NS = 1_000_000_000
# Exits at once on SIGTERM (busybox sh ignores TERM otherwise, so stops would wait the grace period).
TRAP = ["sh", "-c", 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done']
SLEEP = ["sleep", "3600"]
FAIL_AFTER_1S = ["sh", "-c", "sleep 1; exit 1"]
STATES = ["new", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running",
          "complete", "shutdown", "failed", "rejected", "remove", "orphaned"]


# --------------------------------------------------------------------------- time

def swarm_time(stamp: str | None) -> float | None:
    """RFC 3339 timestamp with nanoseconds (as the API returns) -> epoch seconds; None if unset."""
    if not stamp or stamp.startswith("0001-"):
        return None
    stamp = stamp.rstrip("Z")
    whole, _, frac = stamp.partition(".")
    base = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return base + (float("0." + frac) if frac else 0.0)


def stats(values: list[float]) -> dict:
    """Median and range, the figures the simulator's latency model is fitted to."""
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": round(statistics.median(values), 3),
            "min": round(min(values), 3), "max": round(max(values), 3)}


# --------------------------------------------------------------------------- recorder

class Recorder:
    """Background poller of tasks, services and nodes that keeps each distinct observation.

    Uses its own client: the SDK's HTTP session is not meant to be shared across threads.
    """

    def __init__(self, swarm: LocalSwarm, hz: float = 20, manager: str = "node1"):
        self.client = swarm.nodes[manager].client(timeout=10)
        self.period = 1.0 / hz
        self.tasks: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        self.nodes: dict[str, dict] = {}
        self.polls = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Recorder":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.monotonic()
            try:
                self.poll()
            except Exception as exc:          # a manager briefly busy must not end the recording
                self.errors.append(f"{time.time():.3f} {exc!r}")
            self._stop.wait(max(0.0, self.period - (time.monotonic() - start)))

    def poll(self) -> None:
        api = self.client.api
        tasks, services, nodes = api.tasks(), api.services(), api.nodes()
        now = time.time()
        with self._lock:
            self.polls += 1
            for t in tasks:
                self._observe_task(now, t)
            for s in services:
                self._observe(self.services, s["ID"], now, {
                    "name": s["Spec"]["Name"], "version": s["Version"]["Index"],
                    "replicas": s["Spec"].get("Mode", {}).get("Replicated", {}).get("Replicas"),
                    "update_status": s.get("UpdateStatus")})
            for n in nodes:
                self._observe(self.nodes, n["ID"], now, {
                    "hostname": n["Description"]["Hostname"], "state": n["Status"]["State"],
                    "availability": n["Spec"]["Availability"], "message": n["Status"].get("Message"),
                    "updated": n["UpdatedAt"]})

    def _observe_task(self, now: float, t: dict) -> None:
        status = t["Status"]
        rec = self.tasks.setdefault(t["ID"], {
            "service": t["ServiceID"], "slot": t.get("Slot"), "created": t["CreatedAt"],
            "first_seen": now, "obs": []})
        rec["last_seen"] = now
        self._append(rec["obs"], now, {
            "state": status["State"], "desired": t["DesiredState"], "node": t.get("NodeID"),
            "ts": status["Timestamp"], "msg": status.get("Message"), "err": status.get("Err"),
            "updated": t["UpdatedAt"], "spec_version": t.get("SpecVersion", {}).get("Index")})

    def _observe(self, table: dict, key: str, now: float, fields: dict) -> None:
        self._append(table.setdefault(key, {"obs": []})["obs"], now, fields)

    @staticmethod
    def _append(obs: list, now: float, fields: dict) -> None:
        if not obs or {k: v for k, v in obs[-1].items() if k != "t"} != fields:
            obs.append({"t": round(now, 4), **fields})

    # ---- queries used while driving experiments

    def wait(self, predicate, timeout: float = 120, what: str = "condition") -> float:
        """Wait until predicate(self) holds on the recorded data; returns local time."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self._lock:
                if predicate(self):
                    return time.time()
            time.sleep(0.05)
        raise TimeoutError(f"timed out waiting for {what}")

    def current(self, service_id: str) -> list[dict]:
        """Latest observation of each task of a service that is still listed."""
        horizon = max((r["last_seen"] for r in self.tasks.values()), default=0) - 0.5
        return [dict(r["obs"][-1], id=tid, slot=r["slot"]) for tid, r in self.tasks.items()
                if r["service"] == service_id and r["last_seen"] >= horizon]

    def running(self, service_id: str) -> int:
        return sum(1 for o in self.current(service_id) if o["state"] == "running" and o["desired"] == "running")

    def snapshot(self) -> dict:
        with self._lock:
            return copy.deepcopy({"polls": self.polls, "poll_errors": self.errors, "tasks": self.tasks,
                                  "services": self.services, "nodes": self.nodes})


# --------------------------------------------------------------------------- task timeline analysis

def state_times(rec: dict) -> dict[str, float]:
    """Swarm timestamp of each observed state of one task, plus 'created'."""
    times = {"created": swarm_time(rec["created"])}
    for o in rec["obs"]:
        times.setdefault(o["state"], swarm_time(o["ts"]))
    return times


def desired_shutdown_time(rec: dict) -> float | None:
    """When the manager set desired=shutdown: UpdatedAt of the first observation showing it.

    The desired-state write updates the task's UpdatedAt; when the same poll already shows the
    task past running, UpdatedAt may be the later status write, so those cases are skipped.
    """
    for o in rec["obs"]:
        if o["desired"] in ("shutdown", "remove") and o["state"] in ("running", "ready", "starting"):
            return swarm_time(o["updated"])
    return None


def stop_time(rec: dict) -> float | None:
    """Swarm timestamp of the first terminal state the task reported."""
    for o in rec["obs"]:
        if o["state"] in ("shutdown", "complete", "failed"):
            return swarm_time(o["ts"])
    return None


def gaps(times: dict[str, float]) -> dict[str, float]:
    """Seconds between consecutive *observed* start-up states (up to running), and created->running."""
    order = ["created"] + [s for s in STATES[1:STATES.index("running") + 1] if s in times]
    out = {}
    for a, b in zip(order, order[1:]):
        if times.get(a) and times.get(b):
            out[f"{a}->{b}"] = round(times[b] - times[a], 4)
    if times.get("running") and times.get("created"):
        out["created->running"] = round(times["running"] - times["created"], 4)
    return out


def hostnames(swarm: LocalSwarm) -> dict[str, str]:
    return {n.attrs["ID"]: n.attrs["Description"]["Hostname"] for n in swarm.manager.nodes.list()}


def per_node(rec: Recorder, service_id: str, names: dict[str, str]) -> dict[str, int]:
    """Running-desired tasks of a service per hostname (all hostnames listed, zeros included)."""
    counts = {h: 0 for h in sorted(names.values())}
    for o in rec.current(service_id):
        if o["desired"] == "running" and o["node"]:
            counts[names[o["node"]]] += 1
    return counts


# --------------------------------------------------------------------------- service helpers

def create(api, name: str, replicas: int, command=TRAP, *, grace: float | None = None,
           env: list[str] | None = None, constraints: list[str] | None = None,
           preferences: list | None = None, max_replicas: int | None = None,
           mem_reservation: int | None = None, generic_resources: dict[str, int] | None = None,
           restart: dict | None = None, update: dict | None = None) -> str:
    """Create a replicated service through the Engine API (no registry lookup); returns its ID."""
    spec = types.ContainerSpec(IMAGE, command=command, env=env,
                               stop_grace_period=int(grace * NS) if grace is not None else None)
    placement = None
    if constraints or preferences or max_replicas:
        placement = types.Placement(constraints=constraints, preferences=preferences, maxreplicas=max_replicas)
    template = types.TaskTemplate(
        spec, placement=placement,
        resources=types.Resources(mem_reservation=mem_reservation, generic_resources=generic_resources)
        if mem_reservation or generic_resources else None,
        restart_policy=types.RestartPolicy(**restart) if restart else None)
    update_config = types.UpdateConfig(**update) if update else None
    return api.create_service(template, name=name, mode=types.ServiceMode("replicated", replicas),
                              update_config=update_config)["ID"]


def update(api, service: str, mutate) -> dict:
    """Apply ``mutate(spec)`` to the current spec and send it back as one UpdateService call."""
    current = api.inspect_service(service)
    spec = copy.deepcopy(current["Spec"])
    mutate(spec)
    return api.update_service(
        current["ID"], current["Version"]["Index"], task_template=spec["TaskTemplate"],
        name=spec["Name"], labels=spec.get("Labels"), mode=spec["Mode"],
        update_config=spec.get("UpdateConfig"), rollback_config=spec.get("RollbackConfig"),
        endpoint_spec=spec.get("EndpointSpec"))


def set_replicas(n: int):
    def mutate(spec):
        spec["Mode"]["Replicated"]["Replicas"] = n
    return mutate


def remove_and_wait(swarm: LocalSwarm, service_id: str, timeout: float = 60) -> None:
    """Remove a service and wait until its containers are gone on every node, so runs do not overlap."""
    swarm.manager.api.remove_service(service_id)
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = sum(len(swarm.client(n).api.containers(all=True, filters={"label": f"com.docker.swarm.service.id={service_id}"}))
                   for n in swarm.nodes)
        if not left:
            return
        time.sleep(0.2)
    raise TimeoutError(f"containers of {service_id} still present")


def task_rows(rec_data: dict, service_id: str, names: dict[str, str]) -> list[dict]:
    """One row per task of a service: slot, node, state times relative to the service's first task."""
    rows = []
    for tid, r in rec_data["tasks"].items():
        if r["service"] != service_id:
            continue
        node = next((o["node"] for o in reversed(r["obs"]) if o["node"]), None)
        rows.append({"id": tid, "slot": r["slot"], "node": names.get(node, node),
                     "times": state_times(r), "desired_shutdown": desired_shutdown_time(r),
                     "stopped": stop_time(r), "spec_version": r["obs"][-1]["spec_version"],
                     "final": (r["obs"][-1]["state"], r["obs"][-1]["desired"]),
                     "msgs": sorted({(o["state"], o["msg"], o["err"]) for o in r["obs"]}, key=str)})
    return sorted(rows, key=lambda x: (x["times"]["created"] or 0))


# --------------------------------------------------------------------------- experiment runner

def run(name: str, n_nodes: int, body, managers: int = 1, configs: dict | None = None) -> dict:
    """Fresh swarm (``configs``: daemon.json settings per node), record while ``body(swarm, rec, result)``
    drives it, save JSON, tear down; holding the machine's one local swarm throughout."""
    with localswarm.exclusive():
        return _run(name, n_nodes, body, managers, configs)


def _run(name: str, n_nodes: int, body, managers: int, configs: dict | None) -> dict:
    print(f"== experiment {name}", flush=True)
    swarm = localswarm.up(n_nodes, managers, configs=configs)
    result = {"experiment": name, "docker_version": swarm.manager.version()["Version"],
              "api_version": swarm.manager.api.api_version, "n_nodes": n_nodes, "started": time.time()}
    try:
        with Recorder(swarm) as rec:
            result["hostnames"] = hostnames(swarm)
            body(swarm, rec, result)
            time.sleep(0.3)
        result["hostnames"] = hostnames(swarm)      # again: nodes may have joined meanwhile
        result["raw"] = rec.snapshot()
    finally:
        save(name, result)
        swarm.down()
    print(json.dumps(result.get("summary"), indent=1, default=str), flush=True)
    return result


def save(name: str, result: dict) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"{name}.json").write_text(json.dumps(result, indent=1, default=str))


def drain(swarm: LocalSwarm, hostname: str) -> None:
    """Make a node ineligible so exactly the other nodes take tasks (placement experiments)."""
    node = next(n for n in swarm.manager.nodes.list() if n.attrs["Description"]["Hostname"] == hostname)
    spec = dict(node.attrs["Spec"], Availability="drain")
    node.update(spec)


# --------------------------------------------------------------------------- a, b: start latency

def start_service(swarm, rec, name, replicas, **kw) -> str:
    sid = create(swarm.manager.api, name, replicas, **kw)
    rec.wait(lambda r: r.running(sid) >= replicas, what=f"{name} running")
    return sid


def exp_a(swarm, rec, result):
    """Single-task latency, 5 sequential creates."""
    sids = []
    for i in range(5):
        sid = start_service(swarm, rec, f"a{i}", 1)
        time.sleep(0.5)
        remove_and_wait(swarm, sid)
        sids.append(sid)
        time.sleep(1)
    data, names = rec.snapshot(), result["hostnames"]
    runs = [task_rows(data, sid, names)[0] for sid in sids]
    per_gap: dict[str, list] = {}
    for row in runs:
        for k, v in gaps(row["times"]).items():
            per_gap.setdefault(k, []).append(v)
    result["services"] = sids
    result["summary"] = {"runs": [{"node": r["node"], **gaps(r["times"])} for r in runs],
                         "stats": {k: stats(v) for k, v in per_gap.items()}}


def exp_b(swarm, rec, result):
    """Concurrent starts: 4, 8, 12 replicas at once (1, 2, 3 per node), 3 repetitions each."""
    names, summary, sids = result["hostnames"], {}, []
    for replicas in (4, 8, 12):
        for rep in range(3):
            sid = start_service(swarm, rec, f"b{replicas}_{rep}", replicas)
            time.sleep(0.5)
            remove_and_wait(swarm, sid)
            sids.append((replicas, sid))
            time.sleep(1)
    data = rec.snapshot()
    for replicas, sid in sids:
        rows = task_rows(data, sid, names)
        entry = summary.setdefault(str(replicas), {"created_to_running": [], "created_to_assigned": [],
                                                   "per_node": [], "last_running_minus_first_created": []})
        entry["created_to_running"] += [gaps(r["times"]).get("created->running") for r in rows]
        entry["created_to_assigned"] += [r["times"].get("assigned", 0) - r["times"]["created"]
                                         for r in rows if r["times"].get("assigned")]
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["node"]] = counts.get(r["node"], 0) + 1
        entry["per_node"].append(counts)
        entry["last_running_minus_first_created"].append(
            round(max(r["times"]["running"] for r in rows) - min(r["times"]["created"] for r in rows), 3))
    result["services"] = sids
    result["summary"] = {k: {"created->running": stats(v["created_to_running"]),
                             "created->assigned": stats(v["created_to_assigned"]),
                             "all_running_after": v["last_running_minus_first_created"],
                             "per_node": v["per_node"]} for k, v in summary.items()}


# --------------------------------------------------------------------------- c: stop

def stop_rows(data, sid, names):
    rows = [r for r in task_rows(data, sid, names) if r["desired_shutdown"] and r["stopped"]]
    return [round(r["stopped"] - r["desired_shutdown"], 4) for r in rows]


def exp_c(swarm, rec, result):
    """Stop latency: scale 6->3 and remove, with the TERM-trapping workload and with sleep + grace 2s."""
    api, names, summary = swarm.manager.api, result["hostnames"], {}
    cases = [("trap", dict(command=TRAP)), ("sleep_grace2s", dict(command=SLEEP, grace=2.0))]
    for label, kw in cases:
        for rep in range(2):
            sid = start_service(swarm, rec, f"c_{label}_{rep}", 6, **kw)
            time.sleep(1)
            update(api, sid, set_replicas(3))
            rec.wait(lambda r: sum(1 for o in r.current(sid) if o["state"] in ("shutdown", "complete", "failed")) >= 3,
                     what="3 stopped")
            time.sleep(1)
            scaled = stop_rows(rec.snapshot(), sid, names)
            t_remove = time.time()
            api.remove_service(sid)
            deadline = time.time() + 60
            while time.time() < deadline and any(
                    swarm.client(n).api.containers(filters={"label": f"com.docker.swarm.service.id={sid}"})
                    for n in swarm.nodes):
                time.sleep(0.05)
            t_gone = time.time()
            summary.setdefault(label, {"scale_down": [], "remove_all_containers_stopped": []})
            summary[label]["scale_down"] += scaled
            summary[label]["remove_all_containers_stopped"].append(round(t_gone - t_remove, 3))
            time.sleep(2)
    result["summary"] = {k: {"desired_shutdown->shutdown (scale down)": stats(v["scale_down"]),
                             "raw": v["scale_down"],
                             "remove -> no running container (local clock, 50 ms poll)": v["remove_all_containers_stopped"]}
                         for k, v in summary.items()}


# --------------------------------------------------------------------------- d, e, f: rolling updates

def update_status_log(data: dict, sid: str) -> list[dict]:
    """Distinct UpdateStatus values of a service as seen by the poller (local time t)."""
    out = []
    for o in data["services"].get(sid, {}).get("obs", []):
        st = o["update_status"] or {}
        row = {"t": o["t"], "version": o["version"], "state": st.get("State"), "message": st.get("Message"),
               "started": st.get("StartedAt"), "completed": st.get("CompletedAt")}
        if not out or {k: v for k, v in out[-1].items() if k not in ("t", "version")} != \
                {k: v for k, v in row.items() if k not in ("t", "version")}:
            out.append(row)
    return out


def slot_timeline(data: dict, sid: str, names: dict, t0: float) -> list[dict]:
    """Per slot: old task desired-shutdown/stopped and new task created/running, relative to t0."""
    def rel(x):
        return round(x - t0, 3) if x else None
    slots: dict[int, list] = {}
    for row in task_rows(data, sid, names):
        slots.setdefault(row["slot"], []).append(row)
    out = []
    for slot, rows in sorted(slots.items()):
        for old, new in zip(rows, rows[1:]):
            out.append({"slot": slot, "old_node": old["node"], "new_node": new["node"],
                        "old_desired_shutdown": rel(old["desired_shutdown"]), "old_stopped": rel(old["stopped"]),
                        "new_created": rel(new["times"]["created"]), "new_running": rel(new["times"].get("running")),
                        "new_final": new["final"]})
    return sorted(out, key=lambda r: r["new_created"] or 0)


def cli_update(swarm: LocalSwarm, sid: str, *args: str, timeout: float = 300) -> dict:
    """Run ``docker service update`` (attached, i.e. waiting for convergence) and time it."""
    start = time.time()
    proc = swarm.nodes["node1"].cli("service", "update", "--no-resolve-image", *args, sid,
                                    check=False, timeout=timeout)
    return {"args": list(args), "started": start, "returned": time.time(), "seconds": round(time.time() - start, 3),
            "rc": proc.returncode, "stdout_tail": proc.stdout[-600:], "stderr_tail": proc.stderr[-600:]}


def wait_update_done(rec: Recorder, sid: str, timeout: float = 180) -> None:
    def done(r):
        obs = r.services.get(sid, {}).get("obs", [])
        st = (obs[-1]["update_status"] or {}).get("State") if obs else None
        return st in ("completed", "paused", "rollback_completed", "rollback_paused")
    rec.wait(done, timeout, what="update finished")


def rolling(swarm, rec, result, replicas: int, update_cfg: dict, reps: int):
    """Create a service, then ``reps`` CLI updates each changing an env var; summarise per slot."""
    names = result["hostnames"]
    sid = start_service(swarm, rec, "roll", replicas, update=update_cfg)
    time.sleep(1)
    runs = []
    for rep in range(reps):
        cli = cli_update(swarm, sid, "--env-add", f"V={rep + 2}")
        wait_update_done(rec, sid)
        time.sleep(1)
        st = swarm.manager.api.inspect_service(sid).get("UpdateStatus", {})
        runs.append({"cli": cli, "update_status": st})
        time.sleep(2)
    data = rec.snapshot()
    summary = []
    for run_ in runs:
        st = run_["update_status"]
        t0, t1 = swarm_time(st.get("StartedAt")), swarm_time(st.get("CompletedAt"))
        timeline = [r for r in slot_timeline(data, sid, names, t0) if r["new_created"] is not None
                    and -0.5 < r["new_created"] < (t1 - t0 if t1 else 1e9)]
        summary.append({"StartedAt->CompletedAt": round(t1 - t0, 3) if t1 else None,
                        "cli_seconds": run_["cli"]["seconds"], "cli_rc": run_["cli"]["rc"],
                        "cli_returned_after_StartedAt": round(run_["cli"]["returned"] - t0, 3),
                        "cli_started_before_StartedAt": round(t0 - run_["cli"]["started"], 3),
                        "last_new_running": max((r["new_running"] or 0) for r in timeline) if timeline else None,
                        "slots": timeline})
    result["service"] = sid
    result["runs"] = runs
    result["summary"] = {"update_config": update_cfg, "updates": summary,
                         "update_status_log": update_status_log(data, sid)}


def exp_d(swarm, rec, result):
    """Stop-first rolling update, 6 replicas, parallelism 2, delay 3 s."""
    rolling(swarm, rec, result, 6, dict(parallelism=2, delay=3 * NS, order="stop-first",
                                        failure_action="pause", monitor=5 * NS), reps=2)


def exp_e(swarm, rec, result):
    """Start-first rolling update, 4 replicas, parallelism 1, delay 1 s."""
    rolling(swarm, rec, result, 4, dict(parallelism=1, delay=1 * NS, order="start-first",
                                        failure_action="pause", monitor=5 * NS), reps=2)


def failing_update(swarm, rec, result, action: str, observe: float = 40):
    names = result["hostnames"]
    sid = start_service(swarm, rec, f"f_{action}", 4, update=dict(
        parallelism=1, delay=0, order="stop-first", failure_action=action, monitor=5 * NS))
    time.sleep(1)
    t_update = time.time()

    def to_failing(spec):
        spec["TaskTemplate"]["ContainerSpec"]["Args"] = FAIL_AFTER_1S
        spec["TaskTemplate"]["ContainerSpec"].pop("Command", None)
    update(swarm.manager.api, sid, to_failing)
    time.sleep(observe)
    data = rec.snapshot()
    rows = task_rows(data, sid, names)
    return sid, {
        "update_status_log": [dict(r, t=round(r["t"] - t_update, 3)) for r in update_status_log(data, sid)],
        "tasks": [{"slot": r["slot"], "node": r["node"], "spec_version": r["spec_version"],
                   "created": round(r["times"]["created"] - t_update, 3),
                   "running": round(r["times"]["running"] - t_update, 3) if r["times"].get("running") else None,
                   "stopped": round(r["stopped"] - t_update, 3) if r["stopped"] else None,
                   "final": r["final"], "msgs": r["msgs"]} for r in rows],
        "final_per_node": per_node(rec, sid, names)}


def exp_f(swarm, rec, result):
    """Update to a task that exits 1 after 1 s: failure action pause, then (new service) rollback."""
    result["summary"] = {}
    for action in ("pause", "rollback"):
        sid, summary = failing_update(swarm, rec, result, action)
        result["summary"][action] = summary
        remove_and_wait(swarm, sid)


# --------------------------------------------------------------------------- g: placement

def node_id(swarm, hostname):
    return next(n for n in swarm.manager.nodes.list() if n.attrs["Description"]["Hostname"] == hostname)


def wait_running(rec, sid, n, timeout=60):
    rec.wait(lambda r: r.running(sid) >= n, timeout, what=f"{n} running")
    time.sleep(0.5)


def exp_g_constraint_then_7(swarm, rec, result):
    """(i) 2 replicas pinned to node4, then ONE update: no constraint, 7 replicas (node1 drained)."""
    drain(swarm, "node1")
    api, names = swarm.manager.api, result["hostnames"]
    sid = create(api, "gi", 2, constraints=["node.hostname==node4"])
    wait_running(rec, sid, 2)
    before = per_node(rec, sid, names)

    def unpin_and_scale(spec):
        spec["TaskTemplate"]["Placement"] = {}
        spec["Mode"]["Replicated"]["Replicas"] = 7
    update(api, sid, unpin_and_scale)
    wait_running(rec, sid, 7)
    result["summary"] = {"before": before, "after": per_node(rec, sid, names)}


def exp_g_new_node(swarm, rec, result):
    """(ii) 3 replicas on each of 3 nodes, a 4th node joins, scale 9 -> 12."""
    drain(swarm, "node1")
    api = swarm.manager.api
    sid = create(api, "gii", 9)
    wait_running(rec, sid, 9)
    before = per_node(rec, sid, hostnames(swarm))
    new = swarm.add_node()
    rec.wait(lambda r: any(o["obs"][-1]["hostname"] == new and o["obs"][-1]["state"] == "ready"
                           for o in r.nodes.values()), 60, what="new node ready")
    time.sleep(1)
    update(api, sid, set_replicas(12))
    wait_running(rec, sid, 12)
    result["summary"] = {"before": before, "new_node": new, "after": per_node(rec, sid, hostnames(swarm))}


def exp_g_misc(swarm, rec, result):
    """(iii)-(viii) on nodes 2-4 (node1 drained), one scenario after another."""
    drain(swarm, "node1")
    api, names, out = swarm.manager.api, result["hostnames"], {}

    # (iii) 0/0/0 + 5, three times
    out["iii_5_on_empty"] = []
    for rep in range(3):
        sid = create(api, f"giii{rep}", 5)
        wait_running(rec, sid, 5)
        out["iii_5_on_empty"].append(per_node(rec, sid, names))
        remove_and_wait(swarm, sid)

    # (iv) X: 2 replicas on node2; then Y: 3 replicas
    x = create(api, "givx", 2, constraints=["node.hostname==node2"])
    wait_running(rec, x, 2)
    y = create(api, "givy", 3)
    wait_running(rec, y, 3)
    out["iv_preexisting_load"] = {"X": per_node(rec, x, names), "Y": per_node(rec, y, names)}
    remove_and_wait(swarm, y)
    remove_and_wait(swarm, x)

    # (v) build 3/2/1 then scale 6 -> 3
    sid = create(api, "gv", 3, constraints=["node.hostname==node2"])
    wait_running(rec, sid, 3)

    def step(constraints, replicas):
        def mutate(spec):
            spec["TaskTemplate"]["Placement"] = {"Constraints": constraints} if constraints else {}
            spec["Mode"]["Replicated"]["Replicas"] = replicas
        return mutate
    update(api, sid, step(["node.hostname!=node4"], 5))
    wait_running(rec, sid, 5)
    update(api, sid, step(None, 6))
    wait_running(rec, sid, 6)
    before = per_node(rec, sid, names)
    slots_before = {o["slot"]: names[o["node"]] for o in rec.current(sid) if o["desired"] == "running"}
    update(api, sid, set_replicas(3))
    rec.wait(lambda r: sum(1 for o in r.current(sid) if o["desired"] == "running") == 3, 30, what="scaled to 3")
    time.sleep(2)
    slots_after = {o["slot"]: names[o["node"]] for o in rec.current(sid) if o["desired"] == "running"}
    out["v_scale_down_6_to_3"] = {"before": before, "slots_before": slots_before,
                                  "after": per_node(rec, sid, names), "slots_kept": slots_after}
    remove_and_wait(swarm, sid)

    # (vi) max replicas per node 1, 4 replicas on 3 eligible nodes
    sid = create(api, "gvi", 4, max_replicas=1)
    wait_running(rec, sid, 3)
    time.sleep(2)
    out["vi_max_replicas"] = {"per_node": per_node(rec, sid, names),
                              "pending": [(o["state"], o["msg"], o["err"]) for o in rec.current(sid)
                                          if o["state"] == "pending"]}
    remove_and_wait(swarm, sid)

    # (vii) memory reservation: one task larger than any node; 4 tasks of 60% of a node
    mem = swarm.manager.info()["MemTotal"]
    out["vii_node_memory_bytes"] = mem
    for label, replicas, reserve, expect in (("too_big", 1, int(mem * 1.5), 0), ("fits_one_per_node", 4, int(mem * 0.6), 3)):
        sid = create(api, f"gvii_{label}", replicas, mem_reservation=reserve)
        if expect:
            wait_running(rec, sid, expect)
        time.sleep(3)
        out[f"vii_{label}"] = {"reserve": reserve, "per_node": per_node(rec, sid, names),
                               "pending": [(o["state"], o["msg"], o["err"]) for o in rec.current(sid)
                                           if o["state"] == "pending"]}
        remove_and_wait(swarm, sid)

    # (viii) spread over node.labels.az: a on node2, b on node3 and node4; 6 replicas
    for host, az in (("node2", "a"), ("node3", "b"), ("node4", "b")):
        node = node_id(swarm, host)
        node.update(dict(node.attrs["Spec"], Labels={"az": az}))
    out["viii_spread_az"] = []
    for rep in range(3):
        sid = create(api, f"gviii{rep}", 6, preferences=[("spread", "node.labels.az")])
        wait_running(rec, sid, 6)
        out["viii_spread_az"].append(per_node(rec, sid, names))
        remove_and_wait(swarm, sid)
    result["summary"] = out


# --------------------------------------------------------------------------- h: node failure

def exp_h(swarm, rec, result):
    """6 replicas on 4 nodes, kill -9 a worker that runs tasks; time to 'down' and to replacements."""
    names = result["hostnames"]
    sid = start_service(swarm, rec, "h", 6)
    time.sleep(2)
    victim = "node4"
    victim_id = next(k for k, v in names.items() if v == victim)
    on_victim = [o["id"] for o in rec.current(sid) if o["node"] == victim_id and o["desired"] == "running"]
    t_kill = time.time()
    swarm.kill_node(victim)
    t_down = rec.wait(lambda r: r.nodes[victim_id]["obs"][-1]["state"] == "down", 60, what="node down")

    def replaced(r):        # the node-down write and the tasks' desired-state writes are separate
        return sum(1 for t in r.tasks.values() if t["service"] == sid and swarm_time(t["created"]) > t_kill
                   and t["obs"][-1]["state"] == "running") >= len(on_victim)
    rec.wait(replaced, 60, what="replacements running")
    time.sleep(1)
    data = rec.snapshot()
    rows = task_rows(data, sid, names)
    new = [r for r in rows if r["times"]["created"] > t_kill]
    node_obs = data["nodes"][victim_id]["obs"]
    down_obs = next(o for o in node_obs if o["state"] == "down")
    result["summary"] = {
        "tasks_on_victim": len(on_victim),
        "kill->down_seen (local clock)": round(down_obs["t"] - t_kill, 3),
        "kill->node UpdatedAt of down": round(swarm_time(down_obs["updated"]) - t_kill, 3),
        "down message": down_obs["message"],
        "kill->replacement created": [round(r["times"]["created"] - t_kill, 3) for r in new],
        "kill->replacement running": [round(r["times"]["running"] - t_kill, 3) for r in new if r["times"].get("running")],
        "replacement created->running": [gaps(r["times"]).get("created->running") for r in new],
        "replacement nodes": [r["node"] for r in new],
        "old tasks final": [r["final"] for r in rows if r["id"] in on_victim],
        "t_down_wait_returned": round(t_down - t_kill, 3)}


# --------------------------------------------------------------------------- i: restart policy

def exp_i(swarm, rec, result):
    """Restart on-failure, delay 2 s, max 3 attempts, task exits 1 after 1 s."""
    names = result["hostnames"]
    sid = create(swarm.manager.api, "i", 1, command=FAIL_AFTER_1S,
                 restart=dict(condition="on-failure", delay=2 * NS, max_attempts=3))
    t0 = time.time()
    time.sleep(25)
    data = rec.snapshot()
    rows = task_rows(data, sid, names)
    base = rows[0]["times"]["created"]

    def rel(x):
        return round(x - base, 3) if x else None
    result["summary"] = {"attempts": [
        {"node": r["node"], "created": rel(r["times"]["created"]), "assigned": rel(r["times"].get("assigned")),
         "running": rel(r["times"].get("running")), "failed": rel(r["times"].get("failed")),
         "desired_final": r["final"][1], "msgs": r["msgs"]} for r in rows],
        "local_create_call": rel(t0)}


# --------------------------------------------------------------------------- m: which slot an update takes first

GPU_NODE = {"node2": {"node-generic-resources": ["GPU=UUID1", "GPU=UUID2"]}}  # one task of three stays pending


def listing(api, sid: str) -> list[dict]:
    return [{"id": t["ID"], "slot": t["Slot"], "state": t["Status"]["State"], "desired": t["DesiredState"]}
            for t in api.tasks(filters={"service": sid})]


def rotation(before: list[dict], replaced: list[int]) -> int | None:
    """Where the replaced order starts in the slots' task-ID order (first task of each slot), or None if
    it is no rotation of it."""
    by_id = list(dict.fromkeys(t["slot"] for t in sorted(before, key=lambda t: t["id"])))
    return next((i for i in range(len(by_id)) if by_id[i:] + by_id[:i] == replaced), None)


def slot_order(api, sid: str, mutate) -> dict:
    """One update with parallelism 1: the slots in task-ID order before it, the order it replaced them in."""
    before = listing(api, sid)
    update(api, sid, mutate)
    deadline = time.time() + 120
    while (api.inspect_service(sid).get("UpdateStatus") or {}).get("State") != "completed":
        if time.time() > deadline:
            raise TimeoutError(f"update of {sid} did not complete")
        time.sleep(0.2)
    old = {t["id"] for t in before}
    new = sorted((t for t in api.tasks(filters={"service": sid}) if t["ID"] not in old),
                 key=lambda t: swarm_time(t["CreatedAt"]))
    replaced = [t["Slot"] for t in new]
    return {"before": before, "replaced": replaced, "rotation": rotation(before, replaced),
            "pending": [t["slot"] for t in before if t["state"] == "pending"]}


def exp_m(swarm, rec, result):
    """The order a rolling update replaces slots in, against the slots' task-ID order (the store's listing,
    which reconcile puts in a Go map): 8 updates of one 5-replica service, then 6 fresh 3-replica services
    each of: all running; one pending for max replicas per node; one pending for a GPU only node2 has."""
    api = swarm.manager.api
    one_at_a_time = dict(parallelism=1)

    def env(i):
        def mutate(spec):
            spec["TaskTemplate"]["ContainerSpec"]["Env"] = [f"V={i}"]
        return mutate

    def unconstrained(i):
        def mutate(spec):
            env(i)(spec)
            spec["TaskTemplate"].pop("Placement", None)
            spec["TaskTemplate"].pop("Resources", None)
        return mutate

    runs: dict[str, list[dict]] = {"five": [], "three": [], "max_replicas_pending": [], "gpu_pending": []}
    sid = start_service(swarm, rec, "five", 5, update=one_at_a_time)
    for i in range(8):
        runs["five"].append(slot_order(api, sid, env(i)))
    remove_and_wait(swarm, sid)
    for i in range(6):
        for case, kw in (("three", {}),
                         ("max_replicas_pending", dict(constraints=["node.role==worker"], max_replicas=1)),
                         ("gpu_pending", dict(generic_resources={"GPU": 1}))):
            sid = create(api, f"{case}{i}", 3, update=one_at_a_time, **kw)
            rec.wait(lambda r: r.running(sid) >= (3 if case == "three" else 2), what=f"{case}{i} running")
            time.sleep(1)
            runs[case].append(slot_order(api, sid, unconstrained(i)))
            remove_and_wait(swarm, sid)
    result["runs"] = runs
    result["summary"] = {case: {"updates": len(rs), "rotations": sum(r["rotation"] is not None for r in rs),
                                "by_start": dict(sorted(Counter(r["rotation"] for r in rs).items(), key=str)),
                                "pending_position": [r["replaced"].index(r["pending"][0]) + 1 for r in rs
                                                     if r["pending"]]}
                         for case, rs in runs.items()}


# --------------------------------------------------------------------------- main

EXPERIMENTS = {                       # name: (nodes, body, repetitions on fresh swarms)
    "a_single_start": (4, exp_a, 1),
    "b_concurrent_start": (4, exp_b, 1),
    "c_stop": (4, exp_c, 1),
    "d_rolling_stop_first": (4, exp_d, 1),
    "e_rolling_start_first": (4, exp_e, 1),
    "f_failing_update": (4, exp_f, 1),
    "g1_constraint_then_7": (4, exp_g_constraint_then_7, 5),
    "g2_new_node": (4, exp_g_new_node, 1),
    "g3_misc": (4, exp_g_misc, 1),
    "h_node_failure": (4, exp_h, 3),
    "i_restart_on_failure": (4, exp_i, 1),
    "m_slot_order": (3, exp_m, 1, GPU_NODE),   # a fourth field: daemon.json settings per node
}


def main(argv: list[str]) -> None:
    """Run the experiments named (or prefixed: 'g' selects g1, g2, g3) in argv, or 'all'."""
    wanted = [k for k in EXPERIMENTS
              if "all" in argv or k in argv or k.split("_")[0] in argv or k[0] in argv]
    for key in wanted:
        n_nodes, body, reps, *configs = EXPERIMENTS[key]
        for rep in range(reps):
            run(key if reps == 1 else f"{key}_r{rep + 1}", n_nodes, body, configs=configs[0] if configs else None)


if __name__ == "__main__":
    main(sys.argv[1:])
