"""What a replay changed on a swarm, on disk before each change, so a SIGKILLed run can be undone.

Services and networks a run creates carry its label (observe.RUN_LABEL) from the moment they exist,
so the ledger only needs the run id to find them. What carries no label of ours is written down
before it is changed: the stacks a step deploys (their objects carry the stack's namespace label),
and for each node the previous value of every label, the availability and the role the run touches,
so a cleanup puts back exactly those and leaves what somebody else changed meanwhile. The swarm's
settings as they were at the start are kept whole. `swarmsim replay --cleanup` reads the file.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import docker

from swarmsim.inputs import read_text
from swarmsim.model.stack import NAMESPACE_LABEL

from .observe import RUN_LABEL


def new_run_id() -> str:
    return f"{int(time.time())}-{os.getpid()}"


def state_dir() -> Path:
    """Where replays keep their ledgers: $XDG_STATE_HOME/swarmsim/replays (~/.local/state by default)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "swarmsim" / "replays"


class Ledger:
    """One run's record; `path=None` keeps it in memory only (the local swarm is removed whole)."""

    def __init__(self, run_id: str, url: str = "", path: Path | None = None):
        self.path = path
        self.data = {"run": run_id, "url": url, "swarm": None, "swarm_spec": None, "stacks": [], "nodes": {}}

    @classmethod
    def create(cls, run_id: str, url: str, directory: Path | None = None) -> "Ledger":
        return cls(run_id, url, (directory or state_dir()) / f"{run_id}.json")

    @classmethod
    def load(cls, path: Path) -> "Ledger":
        """The record a replay left at `path`; a file that is not one is a ValueError naming it (a replay
        --cleanup must not act on a half-written or foreign file)."""
        ledger = cls("", path=path)
        try:
            data = json.loads(read_text(path, "replay record"))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{err.lineno}: not a replay record ({err.msg})") from None
        except RecursionError:
            raise ValueError(f"{path}: not a replay record (nested too deeply)") from None
        shapes = {"run": (str,), "url": (str,), "swarm": (str, type(None)), "swarm_spec": (dict, type(None)),
                  "stacks": (list,), "nodes": (dict,)}
        wrong = [key for key, types in shapes.items() if not isinstance(data, dict) or
                 not isinstance(data.get(key), types)]
        if wrong:
            raise ValueError(f"{path}: not a replay record (expected a JSON object with {', '.join(wrong)} as a "
                             "replay writes them)")
        ledger.data = data
        return ledger

    @property
    def run_id(self) -> str:
        return self.data["run"]

    def save(self) -> None:
        """Atomically: a kill mid-write never loses the record."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def swarm(self, swarm: dict) -> None:
        """The swarm's ID (a cleanup refuses another swarm) and its settings before the run."""
        self.data["swarm"], self.data["swarm_spec"] = swarm["ID"], swarm["Spec"]
        self.save()

    def stack(self, namespace: str) -> None:
        if namespace not in self.data["stacks"]:
            self.data["stacks"].append(namespace)
            self.save()

    def node(self, node: dict, spec: dict) -> None:
        """Before `spec` is applied to `node`: the previous value of each field and label it changes
        (None: the label was absent); the first value seen wins."""
        before = self.data["nodes"].setdefault(node["ID"], {"labels": {}})
        old = node["Spec"]
        for field in ("Availability", "Role"):
            if field in spec and spec[field] != old.get(field):
                before.setdefault(field, old.get(field))
        labels, new = old.get("Labels") or {}, spec.get("Labels", old.get("Labels") or {})
        for key in set(labels) | set(new):
            if labels.get(key) != new.get(key):
                before["labels"].setdefault(key, labels.get(key))
        self.save()

    def done(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def cleanup(api: docker.APIClient, ledger: Ledger, timeout: float = 60) -> list[str]:
    """Remove what the run created and put back what it changed; returns what could not be done."""
    left = []
    if ledger.data["swarm"] and api.inspect_swarm()["ID"] != ledger.data["swarm"]:
        raise ValueError(f"run {ledger.run_id} was on swarm {ledger.data['swarm']}, not on this one")
    mine = [f"{RUN_LABEL}={ledger.run_id}"] + [f"{NAMESPACE_LABEL}={ns}" for ns in ledger.data["stacks"]]
    services = [s for label in mine for s in api.services(filters={"label": label})]
    for s in services:
        _quietly(left, f"service {s['Spec']['Name']}", api.remove_service, s["ID"])
    ids = {s["ID"] for s in services}
    deadline = time.time() + timeout
    while time.time() < deadline:  # networks, secrets and configs stay in use until the tasks are gone
        if not any(t["ServiceID"] in ids for t in api.tasks()):
            break
        time.sleep(0.3)
    for label in mine:
        while True:
            nets = api.networks(filters={"label": label})
            if not nets or time.time() > deadline:
                break
            for net in nets:
                _quietly([], "", api.remove_network, net["Id"])
            time.sleep(0.3)
        left += [f"network {n['Name']}" for n in api.networks(filters={"label": label})]
        for secret in api.secrets(filters={"label": label}):
            _quietly(left, f"secret {secret['Spec']['Name']}", api.remove_secret, secret["ID"])
        for config in api.configs(filters={"label": label}):
            _quietly(left, f"config {config['Spec']['Name']}", api.remove_config, config["ID"])
    for node_id, before in ledger.data["nodes"].items():
        try:
            restore_node(api, node_id, before)
        except docker.errors.NotFound:
            pass  # removed by a step, or it left: nothing to put back
        except docker.errors.APIError as err:
            left.append(f"node {node_id}: {err.explanation or err}")
    spec = ledger.data["swarm_spec"]
    swarm = api.inspect_swarm()
    if spec is not None and swarm["Spec"] != spec:
        _quietly(left, "the swarm's settings", api.update_swarm, swarm["Version"]["Index"], spec)
    return left


def restore_node(api: docker.APIClient, node_id: str, before: dict) -> None:
    """Each label, availability and role the run changed back to its previous value; nothing else."""
    node = api.inspect_node(node_id)
    spec = dict(node["Spec"])
    spec["Labels"] = put_back(spec.get("Labels") or {}, before["labels"])
    spec.update({k: v for k, v in before.items() if k in ("Availability", "Role")})
    if spec != {**node["Spec"], "Labels": node["Spec"].get("Labels") or {}}:
        api.update_node(node_id, node["Version"]["Index"], spec)


def put_back(labels: dict[str, str], before: dict[str, str | None]) -> dict[str, str]:
    """`labels` with each key of `before` back to its value there (None: absent); the other keys kept."""
    out = {k: v for k, v in labels.items() if k not in before}
    out.update({k: v for k, v in before.items() if v is not None})
    return out


def _quietly(left: list[str], what: str, call, *args) -> None:
    try:
        call(*args)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as err:
        if what:
            left.append(f"{what}: {err.explanation or err}")
