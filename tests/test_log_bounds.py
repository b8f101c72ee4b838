"""docker service logs is bounded: a line over 16 KiB is kept as 16 KiB pieces (dockerd's log copier splits
it so), and one `service logs` prints at most 1 MiB, its last line saying how many lines were left out."""
import re

from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.sim import agent

PREFIX = re.compile(r"web\.[12]\.[0-9a-z]{12}@node[12]    \| ")


def _scenario(start: list[str] | str, replicas: int = 2, extra: str = "") -> str:
    return f"""version: 1
cluster: {{managers: 1, workers: 1}}
images:
  nginx:
    logs:
      start: {start}
{extra}services:
  web: {{image: nginx, deploy: {{replicas: {replicas}}}, ports: ["8080:80"]}}
steps:
  - wait: converged
  - wait: 3s
  - run: docker service logs web
"""


def _run(text: str):
    backend = SimBackend()
    trace = run_scenario(loads_scenario(text), backend)
    return backend, trace.steps()[-1]["output"]


def test_a_line_over_16_kib_is_kept_as_16_kib_pieces_shared_by_the_containers():
    line = "".join(chr(ord("a") + i % 26) for i in range(40_000))
    backend, out = _run(_scenario(f"['{line}', short]"))
    rows = [PREFIX.sub("", row) for row in out.splitlines()]
    assert [len(r) for r in rows] == [16_384, 16_384, 7_232, 5] * 2
    assert "".join(rows[:3]) == line and rows[3] == "short"
    logs = [lines for a in backend.swarm.agents.values() for lines in a.logs.values()]
    assert len(logs) == 2 and all(a[1] is b[1] for a, b in zip(logs[0], logs[1]))  # made once, not per container


def test_one_service_logs_prints_at_most_1_mib_and_says_what_it_left_out():
    # 2 tasks x 300 aliases of a 10 KB line: 6 MB asked for (10,000 aliases x 2,000 tasks was 40 GB)
    text = _scenario("[&l '" + "L" * 10_000 + "'" + ", *l" * 299 + "]")
    _, out = _run(text)
    assert len(out.encode()) <= (1 << 20) + 200
    *rows, note = out.splitlines()
    assert all(PREFIX.match(r) and r.endswith("L" * 10_000) for r in rows)
    left = int(re.match(r"swarmsim: ([\d,]+) more log lines left out", note).group(1).replace(",", ""))
    assert len(rows) + left == 600 and len(rows) == (1 << 20) // len(rows[0].encode() + b"\n")


def test_a_long_request_line_is_bounded_per_container():
    traffic = "      request: '" + "R" * 100_000 + "'\ntraffic: [{port: 8080, rate: 200, start: 1s, stop: 3s}]\n"
    backend, out = _run(_scenario("[]", extra=traffic))
    entries = [e for a in backend.swarm.agents.values() for lines in a.logs.values() for e in lines]
    assert entries and max(len(line) for _, line in entries) == agent.MAX_LOG_LINE
    assert all(len(lines) <= agent.MAX_LOG_LINES for a in backend.swarm.agents.values() for lines in a.logs.values())
    assert len(out.encode()) <= (1 << 20) + 200 and "more log lines left out" in out

