"""Docker's swarm tutorials typed on a real swarm and in the simulator, compared after normalising.

`STEPS` is the command sequence (Docker's swarm and stack tutorials, plus the usual mistakes), each
run on a node of a three-node swarm (node1 the manager). `validation/cli_capture.py` runs it on the
local real swarm and `record` writes what docker printed, normalised, to tests/fixtures/cli_output/;
tests/test_cli_output.py runs the same steps in the simulator and compares.

What must differ between two runs is normalised (`normal`): IDs and tokens become x's of the same
length, addresses, timestamps, raft indexes and "N seconds ago" placeholders. A table is cut into its
cells at the header's column starts and laid out again with docker's tabwriter rule, so the widths
compared are still docker's (after a check that the real table follows that rule).
"""
from __future__ import annotations

import re

IMAGE, NO_RESOLVE, GRACE = "swarmsim/busybox:1", "--no-resolve-image", "--stop-grace-period 1s"
SWARM_ADDR = "10.77.0.11"  # node1's address on the local swarm; the sim is told it with --advertise-addr

# (node, command, how to compare). "exact": the normalised text; "nodes": node names too (where the
# scheduler put tasks); "header": only a table's header line (how many rows depends on placement);
# "swarm": docker info's Swarm section; "notls": without the CA's TLS Info; "sorted": lines in any order
# (stack deploy creates from a Go map); "load": a mistake the scenario loader reports with its line;
# "skip: WHY" / "unsupported: WHY": not compared.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("node2", "docker info", "swarm"),
    ("node2", "docker node ls", "exact"),
    ("node1", "docker swarm init --advertise-addr 10.77.0.11", "exact"),
    ("node1", "docker swarm join-token worker", "exact"),
    ("node1", "docker swarm join-token -q worker", "exact"),
    ("node1", "docker swarm join-token manager", "exact"),
    ("node1", "docker swarm join-token manager -q", "exact"),
    ("node2", "JOIN", "exact"),
    ("node3", "JOIN", "exact"),
    ("node1", "docker info", "swarm"),
    ("node2", "docker info", "swarm"),
    ("node1", "docker node ls", "exact"),
    ("node1", "docker node ls -q", "exact"),
    ("node2", "docker node ls", "exact"),
    ("node1", "docker node inspect --pretty self", "notls"),
    ("node1", "docker node inspect --pretty node2", "notls"),
    ("node1", "docker node inspect node2", "notls"),
    ("node1", f"docker service create --replicas 1 --name helloworld {NO_RESOLVE} {GRACE} {IMAGE} sleep 100000",
     "skip: without a terminal docker prints every progress update; the simulator prints a terminal's "
     "last screen (compared in test_cli_output against a capture under a pseudo-terminal)"),
    ("node1", "docker service ls", "exact"),
    ("node1", "docker service inspect --pretty helloworld", "exact"),
    ("node1", "docker service inspect helloworld", "exact"),
    ("node1", "docker service ps helloworld", "nodes"),
    ("node1", "docker service scale helloworld=5", "skip: progress, as above"),
    ("node1", "docker service ps helloworld", "nodes"),
    ("node1", "docker service ps --no-trunc helloworld", "nodes"),
    ("node1", "docker service ps -f desired-state=running -f node=node2 helloworld", "header"),
    ("node1", "docker service ps --format '{{.Name}} {{.Node}} {{.DesiredState}}' helloworld", "nodes"),
    ("node1", "docker service ps -q helloworld", "exact"),
    ("node1", "docker service scale -d helloworld=2", "exact"),
    ("node1", f"docker service create -d --name redis --replicas 3 --update-delay 2s {NO_RESOLVE} {GRACE} {IMAGE} "
              "sleep 100000", "exact"),
    ("node1", "SLEEP 6", ""),
    ("node1", "docker service ls", "exact"),
    ("node1", "docker service inspect --pretty redis", "exact"),
    ("node1", f"docker service update --image swarmsim/busybox:2 {NO_RESOLVE} redis", "skip: progress, as above"),
    ("node1", "docker service inspect --pretty redis", "exact"),
    ("node1", "docker service ps redis", "nodes"),
    ("node1", "docker service update --rollback redis", "skip: progress, as above"),
    ("node1", "docker service ls", "exact"),
    ("node1", "docker node update --availability drain node2", "exact"),
    ("node1", "SLEEP 5", ""),
    ("node1", "docker node inspect --pretty node2", "notls"),
    ("node1", "docker node ls", "exact"),
    ("node1", "docker service ps redis", "header"),
    ("node1", "docker node update --availability active node2", "exact"),
    ("node1", "docker node update --label-add zone=a node3", "exact"),
    ("node1", "docker node inspect --pretty node3", "notls"),
    ("node1", "docker node ps node3", "header"),
    ("node1", "docker node ps", "header"),
    ("node1", f"docker service create -d --name logger {NO_RESOLVE} {GRACE} {IMAGE} sh -c 'echo hello; sleep 100000'",
     "exact"),
    ("node1", "docker network create -d overlay my-network", "exact"),
    ("node1", "docker network ls", "exact"),
    ("node1", "docker network inspect my-network", "exact"),
    ("node1", f"docker service create -d --name web --network my-network --replicas 2 {NO_RESOLVE} {GRACE} {IMAGE} "
              "sleep 100000", "exact"),
    ("node1", "docker secret create my_secret secret.txt", "exact"),
    ("node1", "docker secret ls", "exact"),
    ("node1", "docker config create my_config config.txt", "exact"),
    ("node1", "docker config ls", "exact"),
    ("node1", "SLEEP 3", ""),
    ("node1", "docker service logs logger", "nodes"),
    ("node1", "docker stack deploy -c stack.yml --resolve-image never mystack", "sorted"),
    ("node1", "SLEEP 5", ""),
    ("node1", "docker stack ls", "exact"),
    ("node1", "docker stack services mystack", "exact"),
    ("node1", "docker stack ps mystack", "nodes"),
    ("node1", "docker stack rm mystack", "exact"),
    ("node1", "docker service inspect --format '{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}}' redis", "exact"),
    ("node1", "docker service ls -q", "exact"),
    ("node1", "docker service ls --format '{{.Name}}: {{.Replicas}}'", "exact"),
    ("node1", "docker service ls -f name=red", "exact"),
    ("node1", "docker service ps -f desired-state=shutdown redis", "header"),
    ("node1", "docker service rollback -d redis", "exact"),
    ("node1", "docker node promote node2", "exact"),
    ("node1", "SLEEP 3", ""),
    ("node1", "docker node ls", "exact"),
    ("node1", "docker node demote node2", "exact"),
    ("node1", "docker swarm update --task-history-limit 2", "exact"),
    ("node1", "docker secret inspect my_secret", "exact"),
    ("node1", "docker config inspect my_config", "exact"),
    ("node1", "docker secret rm my_secret", "exact"),
    ("node1", "docker network create -d overlay --attachable net2", "exact"),
    ("node1", "docker network rm net2", "exact"),
    ("node1", f"docker service create -d --name my-web --publish published=8080,target=80 --replicas 2 {NO_RESOLVE} "
              f"{GRACE} {IMAGE} sleep 100000", "exact"),
    ("node1", "SLEEP 3", ""),
    ("node1", "docker service ls -f name=my-web", "exact"),
    ("node1", "docker service inspect --pretty my-web", "exact"),
    ("node1", "docker service inspect my-web", "exact"),
    ("node1", "docker service inspect web", "exact"),
    ("node1", "docker service inspect --pretty web", "exact"),
    ("node1", "docker service rm my-web", "exact"),
    ("node1", f"docker service create --name redis {NO_RESOLVE} {IMAGE} sleep 100000", "load"),
    ("node1", "docker service create --foo bar", "load"),
    ("node1", "docker service create", "load"),
    ("node1", "docker service ps nosuch", "load"),
    ("node1", "docker service inspect nosuch", "load"),
    ("node1", "docker service inspect --pretty nosuch", "load"),
    ("node1", "docker service rm nosuch", "load"),
    ("node1", "docker service scale nosuch=2", "load"),
    ("node1", "docker service scale helloworld", "load"),
    ("node1", "docker service update --replicas 2 nosuch", "load"),
    ("node1", "docker service logs nosuch", "load"),
    ("node1", "docker node inspect nosuch", "load"),
    ("node1", "docker node update --availability drain nosuch", "load"),
    ("node1", "docker node ps nosuch", "load"),
    ("node1", "docker node update --availability bogus node2", "load"),
    ("node1", "docker service scale helloworld=x", "load"),
    ("node2", f"docker service create --name w {NO_RESOLVE} {IMAGE} sleep 100000", "exact"),
    ("node2", "docker service ls", "exact"),
    ("node1", "docker network rm my-network", "exact"),
    ("node1", "docker service rm web logger", "exact"),
    ("node1", "docker service rm helloworld", "exact"),
    ("node1", "docker swarm leave", "exact"),
    ("node3", "docker swarm leave", "exact"),
    ("node1", "docker node ls", "exact"),
    ("node1", "docker node rm node3", "exact"),
    ("node1", "docker node rm --force node3", "exact"),
    ("node1", "docker node ls", "exact"),
)

# The commands that wait on the service without -d, run under a pseudo-terminal: its last screen.
PROGRESS_STEPS: tuple[str, ...] = (
    f"docker service create --replicas 1 --name helloworld {NO_RESOLVE} {GRACE} {IMAGE} sleep 100000",
    "docker service scale helloworld=5",
    "docker service scale helloworld=2",
    f"docker service create -d --name redis --replicas 3 --update-delay 2s {NO_RESOLVE} {GRACE} {IMAGE} sleep 100000",
    "SLEEP 6",
    f"docker service update --image swarmsim/busybox:2 {NO_RESOLVE} redis",
    "docker service update --rollback redis",
    f"docker service create --mode global --name g {NO_RESOLVE} {GRACE} {IMAGE} sleep 100000",
)
TERMINAL = (200, 60)  # columns, rows

STACK_FILE = """version: "3.8"
services:
  web:
    image: swarmsim/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
  db:
    image: swarmsim/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
"""
FILES = {"stack.yml": STACK_FILE, "secret.txt": "s3cr3t\n", "config.txt": "key=value\n"}


def commands() -> list[tuple[str, str, str]]:
    """The steps that run a command (not the pauses)."""
    return [step for step in STEPS if not step[1].startswith("SLEEP")]


# --- normalising ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}")
_ID25 = re.compile(r"(?<![0-9a-zA-Z])[0-9a-z]{25}(?![0-9a-zA-Z])")
# a log prefix's task ID, a global progress bar's node, `service ls -q`
_ID12 = re.compile(r"(?<=\.)[0-9a-z]{12}(?=@)|^[0-9a-z]{12}(?=: |$)", re.M)
_ADDR = re.compile(r"10\.(?:77\.0|0\.0)\.\d+(?![\d/])")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_GO_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?")
_AGO = re.compile(r"(?:\d+ \w+|[Ll]ess than a second|[Aa]bout an? \w+) ago")
_UP = re.compile(r"(?<=\bUp )(?:\d+ \w+|Less than a second|About an? \w+)")  # docker ps: Up N seconds
_INDEX = re.compile(r'"Index": \d+')
_SPLIT = re.compile(r"\s{2,}")
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----(\\n|\n)?", re.S)
_ISSUER = re.compile(r'("CertIssuer(?:Subject|PublicKey)": "|Issuer (?:Subject|Public Key):\t)[A-Za-z0-9+/=]+')


def _cells(header: str, line: str) -> list[str]:
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s\s))\S", header)]
    bounds = starts[1:] + [None]
    return [line[a:b].rstrip() if b else line[a:] for a, b in zip(starts, bounds)]


def table(rows: list[list[str]]) -> str:
    """docker's tabwriter (minwidth 10, padding 3): each cell but the last padded to max(10, widest + 3)."""
    widths = [max(10, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(r, widths)) + r[-1] + "\n" for r in rows)


_HEADERS = ("ID ", "NETWORK ID ", "NAME ", "CONTAINER ID ")


def split_table(text: str) -> list[list[str]] | None:
    """A table's cells, or None when `text` is not one docker's tabwriter laid out."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith(_HEADERS) or len(_SPLIT.split(lines[0].strip())) < 2:
        return None
    rows = [_cells(lines[0], line) for line in lines]
    return rows if table(rows) == text else None


def _scrub(text: str, nodes: bool) -> str:
    text = _TOKEN.sub("SWMTKN-1-<token>", text)
    text = _PEM.sub("<certificate>", text)
    text = _ISSUER.sub(r"\1<key>", text)
    text = _ID25.sub("x" * 25, text)
    text = _ID12.sub("x" * 12, text)
    text = _ADDR.sub("<addr>", text)
    text = _RFC3339.sub("<time>", text)
    text = _GO_TIME.sub("<time>", text)
    text = _AGO.sub("<n> ago", text)
    text = _UP.sub("<n>", text)
    text = _INDEX.sub('"Index": <n>', text)
    text = text.replace("20.10.24+dfsg1", "20.10.24")  # Debian's build of 20.10.24 says so in its version
    if nodes:
        text = re.sub(r"(?<![\w.])node[123](?!\w)", "node?", text)
    return text


def normal(text: str, nodes: bool = False) -> str:
    """`text` without what differs from run to run; with `nodes`, node names too (where tasks landed)."""
    text = text.rstrip("\n") + "\n"
    rows = split_table(text)
    if rows is None:
        return _scrub(text, nodes)
    scrubbed = [[_scrub(cell, nodes) for cell in row] for row in rows]
    for row in scrubbed[1:]:
        if re.fullmatch(r"[0-9a-z]{12}( \*)?", row[0]) or re.fullmatch(r"[0-9a-z]{12}", row[0]):
            row[0] = "x" * 12
    return table(scrubbed)


def swarm_section(info: str) -> str:
    """The Swarm part of `docker info`: from " Swarm:" to the next line indented by one space only."""
    lines = info.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(" Swarm:"))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r" \S", lines[i])), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def comparable(text: str, how: str) -> str:
    """What of an output is compared, normalised, for the step's mode."""
    if how == "swarm":
        text = swarm_section(text)
    if how == "notls":
        text = _without_tls(text)
    if how == "sorted":
        text = "\n".join(sorted(text.rstrip("\n").splitlines()))
    if how == "header":
        return normal(text, nodes=True).splitlines()[0] + "\n"
    return normal(text, nodes=how == "nodes")


def _without_tls(text: str) -> str:
    """What the simulator leaves out of `node inspect`: the swarm CA's certificate and key (TLS Info)."""
    text = re.sub(r"\nTLS Info:\n.*", "\n", text, flags=re.S)
    return re.sub(r',\n\s*"TLSInfo": \{[^}]*\}', "", text)


# --- the fixture file -----------------------------------------------------------------------------

MARK = "### "


def dump(entries: list[dict]) -> str:
    """Fixture text: per command a `### NODE $ COMMAND (rc N)` line, then its normalised output."""
    return "".join(f"{MARK}{e['node']} $ {e['line']} (rc {e['rc']})\n{e['out']}" for e in entries)


def load(text: str) -> list[dict]:
    entries = []
    for block in text.split(MARK)[1:]:
        head, _, out = block.partition("\n")
        m = re.fullmatch(r"(\S+) \$ (.*) \(rc (\d+)\)", head)
        entries.append({"node": m[1], "line": m[2], "rc": int(m[3]), "out": out})
    return entries


def record(raw: list[dict]) -> list[dict]:
    """Fixture entries from the raw captures (validation/cli_capture.py), one per step of STEPS."""
    steps = commands()
    if len(raw) != len(steps):
        raise ValueError(f"{len(raw)} captures for {len(steps)} steps")
    entries = []
    for (node, line, how), got in zip(steps, raw):
        text = got["stdout"] + got["stderr"]
        if split_table(text.rstrip("\n") + "\n") is None and text.startswith(_HEADERS):
            raise ValueError(f"{line}: a table not laid out by the tabwriter rule:\n{text}")
        shown = "JOIN" if line == "JOIN" else got["line"]
        entries.append({"node": node, "line": shown, "rc": got["rc"],
                        "out": "" if how.startswith("skip") else comparable(text, how)})
    return entries


# --- capturing on the real swarm ------------------------------------------------------------------

def capture(workdir: str) -> list[dict]:
    """Run STEPS with the 20.10 docker CLI on a fresh local swarm (root; holds its machine-wide lock).

    node1 leaves the swarm `up` made and inits it again, so `swarm init` prints its text; JOIN joins
    with the worker token node1 prints."""
    import shlex
    import subprocess
    import time
    from pathlib import Path

    from validation import localswarm

    for name, text in FILES.items():
        (Path(workdir) / name).write_text(text)
    out: list[dict] = []

    def run(node: str, line: str) -> str:
        url = f"unix://{localswarm.DEFAULT_BASE_DIR}/{node}/docker.sock"
        proc = subprocess.run([localswarm.docker_cli(), "-H", url, *shlex.split(line)[1:]], capture_output=True,
                              text=True, timeout=300, cwd=workdir)
        out.append({"node": node, "line": line, "stdout": proc.stdout, "stderr": proc.stderr, "rc": proc.returncode})
        return proc.stdout

    with localswarm.exclusive():
        try:
            localswarm.up(3, managers=1, joined=1)
            run("node1", "docker swarm leave --force")
            out.clear()
            for node, line, _ in STEPS:
                if line.startswith("SLEEP"):
                    time.sleep(float(line.split()[1]))
                elif line == "JOIN":
                    token = run("node1", "docker swarm join-token -q worker").strip()
                    out.pop()
                    run(node, f"docker swarm join --token {token} {SWARM_ADDR}:2377")
                else:
                    run(node, line)
        finally:
            localswarm.down()
    return out


def _on_a_terminal(argv: list[str]) -> tuple[int, list[str]]:
    """Run argv on a pseudo-terminal of TERMINAL's size; its exit code and its last screen (pyte)."""
    import fcntl
    import os
    import select
    import struct
    import subprocess
    import termios

    import pyte  # only to record: pip install pyte

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", TERMINAL[1], TERMINAL[0], 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    screen = pyte.Screen(*TERMINAL)
    stream = pyte.ByteStream(screen)
    while True:
        if select.select([master], [], [], 0.2)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed
                break
            if not data:
                break
            stream.feed(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return proc.wait(), lines


def capture_progress() -> list[dict]:
    """PROGRESS_STEPS on node1 of a fresh three-node local swarm, each on a terminal."""
    import time

    from validation import localswarm

    out = []
    with localswarm.exclusive():
        try:
            localswarm.up(3)
            url = f"unix://{localswarm.DEFAULT_BASE_DIR}/node1/docker.sock"
            for line in PROGRESS_STEPS:
                if line.startswith("SLEEP"):
                    time.sleep(float(line.split()[1]))
                    continue
                rc, screen = _on_a_terminal([localswarm.docker_cli(), "-H", url, *line.split()[1:]])
                out.append({"line": line, "rc": rc, "screen": screen})
        finally:
            localswarm.down()
    return out


def record_progress(raw: list[dict]) -> list[dict]:
    return [{"node": "node1", "line": r["line"], "rc": r["rc"], "out": normal("\n".join(r["screen"]))} for r in raw]


if __name__ == "__main__":  # python tests/cli_capture.py RAW.json PROGRESS.json: capture what is missing, write
    import json
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent))
    raw_path, progress_path = map(Path, sys.argv[1:3])
    if not raw_path.exists():
        with tempfile.TemporaryDirectory() as tmp:
            raw_path.write_text(json.dumps(capture(tmp), indent=1))
    if not progress_path.exists():
        progress_path.write_text(json.dumps(capture_progress(), indent=1))
    folder = Path(__file__).parent / "fixtures" / "cli_output"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tutorial.txt").write_text(dump(record(json.loads(raw_path.read_text()))))
    (folder / "progress.txt").write_text(dump(record_progress(json.loads(progress_path.read_text()))))
