"""A real multi-node Docker swarm on one Linux host, for validating swarmsim against facts.

Each swarm "node" is one dockerd in its own network namespace (and UTS namespace, so the
node reports its own hostname), attached by a veth pair to a host bridge. Everything this
module creates is recorded in ``<base_dir>/state.json`` *before* it is created, so that
:func:`down` removes exactly that, also after a crash or Ctrl-C, and never touches
namespaces, links or firewall rules that somebody else made.

Facts this relies on are in /work/shared/reference/local-swarm.md (Debian docker.io 20.10,
``nsenter --net`` rather than ``ip netns exec``, vfs storage, no registry, no IPVS).

Command line::

    python -m validation.localswarm up 4 --managers 1
    python -m validation.localswarm down
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import docker

from .shield import shielded

PREFIX = "swsim"                 # every namespace, link and cgroup we create starts with this
BRIDGE = "swsim0"
SUBNET = "10.77.0"               # bridge is .1, node i is .(10+i)
MAX_NODES = 244                  # .11 to .254 on the bridge (and 172.30.i.1/24 as each dockerd's --bip)
PARTITION_CHAIN = f"{PREFIX.upper()}-PARTITION"  # iptables chain in a node's namespace while it is cut off
IMAGE = "swarmsim/busybox:1"     # workload image, built locally on every node
IMAGE_2 = "swarmsim/busybox:2"   # the same image under a second tag: a stack file's "changed image"
BUSYBOX = "/bin/busybox"         # from Debian's busybox-static
DEFAULT_BASE_DIR = "/tmp/swarmsim-local"
LOCK_PATH = "/run/lock/swarmsim-local.lock"   # outside base_dir, which down() deletes
TCP_PORT = 2375                  # with up(tcp=True) each dockerd also listens on its node's address, no TLS
FORWARD_RULE = ["FORWARD", "-i", BRIDGE, "-o", BRIDGE, "-j", "ACCEPT"]
DOCKERFILE = (
    "FROM scratch\n"
    "COPY busybox /bin/busybox\n"
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
)


# --------------------------------------------------------------------------- state file

class State:
    """The crash-safe record of what we created; written to disk before each creation."""

    def __init__(self, base_dir: str | os.PathLike):
        self.path = Path(base_dir) / "state.json"
        self.data = {"bridge": None, "forward_rule": False, "nodes": {}}
        if self.path.exists():
            self.data = json.loads(self.path.read_text())

    def save(self) -> None:
        """Write atomically, so a crash mid-write never loses the record."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def record(self, key: str, value) -> None:
        self.data[key] = value
        self.save()

    def record_node(self, name: str, **fields) -> None:
        self.data["nodes"].setdefault(name, {}).update(fields)
        self.save()


# --------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def exclusive(timeout: float = 900):
    """Hold the machine's one local swarm: namespace, bridge and rule names are global, so two runs
    (two test sessions, say) would tear down each other's nodes. The kernel drops the lock when the
    holder dies, even by SIGKILL. A child of the holder is told by SWARMSIM_LOCAL_LOCKED=1."""
    if os.environ.get("SWARMSIM_LOCAL_LOCKED") == "1":
        yield
        return
    Path(LOCK_PATH).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(LOCK_PATH, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another local swarm is in use (lock {LOCK_PATH})") from None
                time.sleep(1)
        yield
    finally:
        os.close(fd)


def sh(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Run a command, capturing output, so failures carry their stderr."""
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


def ensure_packages() -> None:
    """Install dockerd, busybox and iptables from Debian only when missing (the image has none)."""
    if shutil.which("dockerd") and Path(BUSYBOX).exists() and shutil.which("iptables"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh("apt-get", "update", "-qq", env=env)
    sh("apt-get", "install", "-y", "-qq", "docker.io", "busybox-static", "iptables", env=env)


def check_size(n_nodes: int) -> None:
    """A local swarm's size, refused before anything is created or an earlier swarm removed."""
    if not 1 <= n_nodes <= MAX_NODES:
        raise ValueError(f"a local swarm of {n_nodes} nodes: expected 1 to {MAX_NODES} (one address each on "
                         f"{SUBNET}.0/24)")


def node_ip(index: int) -> str:
    return f"{SUBNET}.{10 + index}"


def docker_cli() -> str:
    """Path of a docker CLI matching the daemon: Debian's 20.10 CLI if present."""
    return "/usr/bin/docker" if Path("/usr/bin/docker").exists() else shutil.which("docker")


@dataclass
class Node:
    """One swarm node: a dockerd in network namespace ``netns`` with its files under ``dir``."""

    name: str
    index: int
    dir: Path
    hostname: str = ""

    @property
    def netns(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def ip(self) -> str:
        return node_ip(self.index)

    @property
    def socket(self) -> str:
        return str(self.dir / "docker.sock")

    @property
    def base_url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def tcp_url(self) -> str:
        """The node's API over TCP (when started with tcp=True), as a remote swarm is reached."""
        return f"tcp://{self.ip}:{TCP_PORT}"

    def client(self, timeout: int = 60) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.base_url, version="auto", timeout=timeout)

    def cli(self, *args: str, check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
        """Run the docker CLI against this node (for things only the CLI does, e.g. waiting on updates)."""
        return sh(docker_cli(), "-H", self.base_url, *args, check=check, timeout=timeout)


# --------------------------------------------------------------------------- network

def create_bridge(state: State) -> None:
    """Host bridge every node's veth plugs into, plus a FORWARD accept (dockerd may have set DROP)."""
    if state.data["bridge"] is None:
        state.record("bridge", BRIDGE)
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
    if not state.data["forward_rule"]:
        state.record("forward_rule", True)
        sh("iptables", "-I", *FORWARD_RULE)


def create_netns(state: State, node: Node) -> None:
    """Namespace + veth for one node; the host end is named after the node so we can find it."""
    host_end, peer = f"{PREFIX}h{node.index}", f"{PREFIX}n{node.index}"
    state.record_node(node.name, netns=node.netns, veth=host_end)
    sh("ip", "netns", "add", node.netns)
    sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", peer)
    sh("ip", "link", "set", peer, "netns", node.netns)
    sh("ip", "link", "set", host_end, "master", BRIDGE, "up")
    inside = ("ip", "netns", "exec", node.netns, "ip")
    sh(*inside, "link", "set", "lo", "up")
    sh(*inside, "link", "set", peer, "name", "eth0")
    sh(*inside, "addr", "add", f"{node.ip}/24", "dev", "eth0")
    sh(*inside, "link", "set", "eth0", "up")
    sh(*inside, "route", "add", "default", "via", f"{SUBNET}.1")


# --------------------------------------------------------------------------- dockerd

def start_dockerd(state: State, node: Node, config: dict | None = None, tcp: bool | None = None) -> None:
    """Start the node's dockerd in its netns and a fresh UTS namespace (own hostname).

    ``nsenter --net`` is used instead of ``ip netns exec`` because the latter remounts /sys and
    dockerd then fails with "Devices cgroup isn't mounted". The process gets its own session
    so a Ctrl-C in the driving terminal does not kill the swarm behind our back. With ``tcp`` the
    daemon also listens on the node's address (kept across a restart, like daemon.json).
    """
    node.dir.mkdir(parents=True, exist_ok=True)
    settings = node.dir / "daemon.json"  # kept across a restart: the same daemon comes back
    if config is not None or not settings.exists():
        settings.write_text(json.dumps(config or {}))
    if tcp is None:
        tcp = state.data["nodes"].get(node.name, {}).get("tcp", False)
    state.record_node(node.name, dir=str(node.dir), pidfile=str(node.dir / "docker.pid"),
                      cgroup=f"{PREFIX}-{node.name}", tcp=tcp)
    flags = [
        "--config-file", str(node.dir / "daemon.json"),
        "--data-root", str(node.dir / "data"),
        "--exec-root", str(node.dir / "exec"),
        "--pidfile", str(node.dir / "docker.pid"),
        "-H", node.base_url,
        "--storage-driver=vfs",
        "--cgroup-parent", f"/{PREFIX}-{node.name}",
        "--bip", f"172.30.{node.index}.1/24",
    ] + (["-H", node.tcp_url] if tcp else [])
    script = f'hostname {shlex.quote(node.hostname or node.name)}; exec dockerd {" ".join(flags)}'
    env = dict(os.environ, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE="1")
    env.pop("DOCKER_HOST", None)
    with open(node.dir / "dockerd.log", "ab") as log:
        subprocess.Popen(
            ["nsenter", f"--net=/run/netns/{node.netns}", "unshare", "-u", "sh", "-c", script],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env, start_new_session=True)


def wait_ready(node: Node, timeout: float = 90) -> docker.DockerClient:
    """Block until the node's API answers; dockerd with vfs takes a few seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = node.client()
            client.ping()
            return client
        except Exception:
            if time.monotonic() > deadline:
                raise TimeoutError(f"dockerd of {node.name} not ready; see {node.dir}/dockerd.log")
            time.sleep(0.3)


def image_tar() -> bytes:
    """Build context for the workload image: busybox-static on an empty root."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(BUSYBOX, arcname="busybox")
        data = DOCKERFILE.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def provide_image(clients: list[docker.DockerClient]) -> None:
    """Build the workload image once and load it on the other nodes (there is no registry)."""
    first, rest = clients[0], clients[1:]
    if not any(IMAGE in img.tags for img in first.images.list()):
        first.images.build(fileobj=io.BytesIO(image_tar()), custom_context=True, tag=IMAGE, rm=True)
    saved = b"".join(first.images.get(IMAGE).save(named=True))
    for client in rest:
        client.images.load(saved)
    repository, tag = IMAGE_2.split(":")
    for client in clients:
        client.images.get(IMAGE).tag(repository, tag)


# --------------------------------------------------------------------------- swarm

def join(client: docker.DockerClient, node: Node, manager_ip: str, token: str) -> None:
    """Join, retrying once after ``leave --force``: a join here sometimes times out once."""
    kwargs = dict(remote_addrs=[f"{manager_ip}:2377"], join_token=token,
                  listen_addr=f"{node.ip}:2377", advertise_addr=node.ip)
    try:
        client.swarm.join(**kwargs)
    except docker.errors.APIError:
        client.swarm.leave(force=True)
        client.swarm.join(**kwargs)


class LocalSwarm:
    """Handle on a running local swarm: ``clients[name]`` and ``sockets[name]`` per node."""

    def __init__(self, base_dir: str | os.PathLike = DEFAULT_BASE_DIR):
        self.base_dir = Path(base_dir)
        self.state = State(self.base_dir)
        self.nodes: dict[str, Node] = {}
        self.clients: dict[str, docker.DockerClient] = {}
        self.joined_at: dict[str, float] = {}  # when each node's init or join was called (time.time())
        for name, rec in self.state.data["nodes"].items():
            if "dir" in rec:
                self.nodes[name] = Node(name, int(name.removeprefix("node")), Path(rec["dir"]),
                                        rec.get("hostname", ""))

    @property
    def sockets(self) -> dict[str, str]:
        return {name: node.socket for name, node in self.nodes.items()}

    @property
    def manager(self) -> docker.DockerClient:
        """Client of node1, the node the swarm was initialised on (leader unless it was killed)."""
        return self.client("node1")

    def client(self, name: str) -> docker.DockerClient:
        if name not in self.clients:
            self.clients[name] = self.nodes[name].client()
        return self.clients[name]

    @property
    def hostnames(self) -> dict[str, str]:
        """Hostname each node reports -> its name here (nodeN)."""
        return {node.hostname or name: name for name, node in self.nodes.items()}

    def start_node(self, index: int, hostname: str = "", config: dict | None = None, tcp: bool = False) -> Node:
        """Create namespace and dockerd for node ``index`` (``config``: its daemon.json); returns once its API
        answers."""
        node = Node(f"node{index}", index, self.base_dir / f"node{index}", hostname)
        self.nodes[node.name] = node
        self.state.record_node(node.name, hostname=hostname)
        create_netns(self.state, node)
        start_dockerd(self.state, node, config, tcp)
        self.clients[node.name] = wait_ready(node)
        return node

    def add_node(self, manager: bool = False) -> str:
        """Start one more node, give it the image and join it; returns its name."""
        node = self.start_node(max(n.index for n in self.nodes.values()) + 1)
        provide_image([self.manager, self.clients[node.name]])
        tokens = self.manager.swarm.attrs["JoinTokens"]
        self.joined_at[node.name] = time.time()
        join(self.clients[node.name], node, node_ip(1), tokens["Manager" if manager else "Worker"])
        return node.name

    def kill_node(self, name: str) -> None:
        """Simulate a machine crash: SIGKILL dockerd, its containerd, shims and containers."""
        node = self.nodes[name]
        for pid in node_pids(node, self.state.data["nodes"][name]):
            signal_pid(pid, signal.SIGKILL)

    def stop_node(self, name: str) -> None:
        """Graceful daemon stop (SIGTERM to dockerd), e.g. to see a clean node departure."""
        pid = read_pid(self.nodes[name].dir / "docker.pid")
        if pid:
            signal_pid(pid, signal.SIGTERM)

    def restart_node(self, name: str) -> None:
        """Bring a crashed or stopped node back: a fresh dockerd on the same data rejoins the swarm."""
        node = self.nodes[name]
        for pid in node_pids(node, self.state.data["nodes"][name]):   # what is left of the old daemon
            signal_pid(pid, signal.SIGKILL)
        unmount_under(node.dir / "exec")
        start_dockerd(self.state, node)
        self.clients[name] = wait_ready(node)

    def partition(self, groups: list[list[str]]) -> None:
        """Cut the network between groups of nodes: each node drops packets from and to the nodes of
        the other groups (iptables in its own namespace, a chain of ours at the top of INPUT and OUTPUT),
        so open connections hang as on a real partition. Nodes not named are left alone."""
        self.heal()
        member = {name: i for i, group in enumerate(groups) for name in group}
        for name, i in member.items():
            rules = [("-N", PARTITION_CHAIN), ("-I", "INPUT", "1", "-j", PARTITION_CHAIN),
                     ("-I", "OUTPUT", "1", "-j", PARTITION_CHAIN)]
            for other, j in member.items():
                if j != i:
                    ip = self.nodes[other].ip
                    rules += [("-A", PARTITION_CHAIN, "-s", ip, "-j", "DROP"),
                              ("-A", PARTITION_CHAIN, "-d", ip, "-j", "DROP")]
            for rule in rules:
                sh("ip", "netns", "exec", self.nodes[name].netns, "iptables", "-w", *rule)

    def heal(self) -> None:
        """Take every partition rule out again."""
        for node in self.nodes.values():
            inside = ("ip", "netns", "exec", node.netns, "iptables", "-w")
            for chain in ("INPUT", "OUTPUT"):
                sh(*inside, "-D", chain, "-j", PARTITION_CHAIN, check=False)
            sh(*inside, "-F", PARTITION_CHAIN, check=False)
            sh(*inside, "-X", PARTITION_CHAIN, check=False)

    def down(self) -> None:
        down(self.base_dir)


def up(n_nodes: int, managers: int = 1, base_dir: str | os.PathLike = DEFAULT_BASE_DIR,
       hostnames: list[str] | None = None, joined: int | None = None,
       configs: dict[str, dict] | None = None, tcp: bool = False) -> LocalSwarm:
    """Create an ``n_nodes`` swarm (the first ``managers`` are managers) and return its handle.

    ``hostnames`` lets nodes report a scenario's names (e.g. manager1) so constraints on
    node.hostname mean the same on both sides; only the first ``joined`` nodes (default all)
    join, the others run a daemon outside the swarm for a later ``docker swarm join`` (``joined=0,
    managers=0``: no swarm at all, for a later ``docker swarm init``). ``configs`` gives
    a node (by hostname) daemon.json settings, e.g. ``node-generic-resources``. ``tcp``: every dockerd
    also listens on ``tcp://<node address>:2375`` (plain, for tests of remote swarms).
    Any leftovers of an earlier run under ``base_dir`` are removed first.
    """
    joined = n_nodes if joined is None else joined
    check_size(n_nodes)
    if not (1 <= managers <= joined <= n_nodes or managers == joined == 0):
        raise ValueError("need 1 <= managers <= joined nodes <= nodes, or no swarm (managers = joined = 0)")
    if hostnames is not None and len(hostnames) != n_nodes:
        raise ValueError("need one hostname per node")
    ensure_packages()
    down(base_dir)
    swarm = LocalSwarm(base_dir)
    create_bridge(swarm.state)
    for index in range(1, n_nodes + 1):
        hostname = hostnames[index - 1] if hostnames else ""
        swarm.start_node(index, hostname, (configs or {}).get(hostname or f"node{index}"), tcp)
    clients = [swarm.clients[f"node{i}"] for i in range(1, n_nodes + 1)]
    provide_image(clients)
    if not joined:
        return swarm
    swarm.joined_at["node1"] = time.time()
    swarm.manager.swarm.init(advertise_addr=node_ip(1), listen_addr=f"{node_ip(1)}:2377")
    tokens = swarm.manager.swarm.attrs["JoinTokens"]
    for index in range(2, joined + 1):
        role = "Manager" if index <= managers else "Worker"
        swarm.joined_at[f"node{index}"] = time.time()
        join(clients[index - 1], swarm.nodes[f"node{index}"], node_ip(1), tokens[role])
    return swarm


# --------------------------------------------------------------------------- teardown

def ipvs_available() -> bool:
    """Whether this kernel has IPVS, which the routing mesh and service VIPs need."""
    release = os.uname().release
    return (Path("/proc/net/ip_vs").exists()
            or any(Path(f"/lib/modules/{release}").glob("kernel/net/netfilter/ipvs/ip_vs.ko*")))


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def is_running(pid: int) -> bool:
    """True unless the process is gone or a zombie (dead, waiting for our init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def node_pids(node: Node, rec: dict) -> list[int]:
    """Live dockerd, and every live process whose command line or cgroup names this node.

    containerd and its shims carry the node's exec-root in their arguments; container
    processes live under the node's ``--cgroup-parent``. Matching on both finds them all
    without touching processes of other nodes or of the host.
    """
    pids = set()
    dockerd = read_pid(Path(rec.get("pidfile", node.dir / "docker.pid")))
    if dockerd:
        pids.add(dockerd)
    marker_path = str(node.dir) + "/"
    marker_cgroup = f":/{rec.get('cgroup', PREFIX + '-' + node.name)}/"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cgroup = (proc / "cgroup").read_text()
        except OSError:
            continue
        if marker_path in cmdline or marker_cgroup in cgroup:
            pids.add(int(proc.name))
    pids.discard(os.getpid())
    return sorted(pid for pid in pids if is_running(pid))


def stop_node_processes(node: Node, rec: dict) -> None:
    """Leave the swarm politely if the daemon still answers, then kill what is left."""
    try:
        node.client(timeout=10).swarm.leave(force=True)
    except Exception:
        pass
    for pid in node_pids(node, rec):
        signal_pid(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while node_pids(node, rec) and time.monotonic() < deadline:
        time.sleep(0.2)


def unmount_under(base: Path) -> None:
    """Lazily unmount everything below base (netns bind mounts, shm), deepest first."""
    prefix = str(base.resolve()) + "/"
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for point in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
        sh("umount", "-l", point, check=False)


def remove_cgroups(name: str) -> None:
    """Remove the node's --cgroup-parent directories, which dockerd leaves behind in every hierarchy."""
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        top = hierarchy / name
        if not top.is_dir():
            continue
        for sub, _, _ in sorted(os.walk(top), key=lambda w: len(w[0]), reverse=True):
            try:
                os.rmdir(sub)
            except OSError:
                pass


def down(base_dir: str | os.PathLike = DEFAULT_BASE_DIR) -> None:
    """Remove exactly what ``state.json`` says we created. Safe to call again, or with nothing up."""
    with shielded():
        _down(Path(base_dir))


def _down(base: Path) -> None:
    state = State(base)
    if not state.path.exists():
        return
    for name, rec in state.data["nodes"].items():
        if "dir" in rec:
            stop_node_processes(Node(name, int(name.removeprefix("node")), Path(rec["dir"])), rec)
    unmount_under(base)
    for rec in state.data["nodes"].values():
        if rec.get("cgroup"):
            remove_cgroups(rec["cgroup"])
    for rec in state.data["nodes"].values():
        if rec.get("netns"):
            sh("ip", "netns", "del", rec["netns"], check=False)
        if rec.get("veth"):
            sh("ip", "link", "del", rec["veth"], check=False)
    if state.data["forward_rule"]:
        sh("iptables", "-D", *FORWARD_RULE, check=False)
    if state.data["bridge"]:
        sh("ip", "link", "del", state.data["bridge"], check=False)
    shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- CLI

def by_hand(action: str, n_nodes: int | None = None, managers: int = 1, base_dir: str | os.PathLike = DEFAULT_BASE_DIR,
            wait: float = 900) -> list[str]:
    """`up` or `down` typed at a shell (`swarmsim cluster`, `python -m validation.localswarm`), under the
    machine's lock, waiting at most `wait` seconds for a run that holds it; the lines to print (each node's
    DOCKER_HOST after an `up`)."""
    with exclusive(timeout=wait):
        if action == "down":
            down(base_dir)
            return []
        swarm = up(n_nodes, managers, base_dir)
    return [f"{name}\tDOCKER_HOST=unix://{sock}" for name, sock in swarm.sockets.items()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m validation.localswarm",
                                     description="Run a real Docker swarm in network namespaces.")
    parser.add_argument("--base-dir", default=DEFAULT_BASE_DIR)
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="create an N-node swarm")
    p_up.add_argument("n_nodes", type=int)
    p_up.add_argument("--managers", type=int, default=1)
    sub.add_parser("down", help="remove everything a previous 'up' created")
    args = parser.parse_args(argv)
    try:  # never under a run (a test, a replay) that holds the machine's swarm
        lines = by_hand(args.command, getattr(args, "n_nodes", None), getattr(args, "managers", 1), args.base_dir,
                        wait=0)
    except TimeoutError as err:
        raise SystemExit(f"python -m validation.localswarm {args.command}: {err}; it takes the swarm down "
                         "itself when it ends") from None
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
