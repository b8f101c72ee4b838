"""docker service logs prints what the workload declares: its start lines, then a line per request served."""
import re

from swarmsim import SimBackend, loads_scenario, run_scenario

SCENARIO = """version: 1
cluster: {managers: 1, workers: 1}
images:
  nginx:
    serve_port: 80
    logs:
      start: ["ready for start up", "second line"]
      request: 'GET / 200'
services:
  web: {image: nginx, deploy: {replicas: 2}, ports: ["8080:80"]}
traffic:
  - {port: 8080, rate: 5, start: 5s, stop: 9s}
steps:
  - wait: 10s
  - run: docker service logs web
  - run: docker service update -d --image nginx:2 web
  - wait: converged
  - run: docker service logs web
"""


def test_logs_are_the_start_lines_and_one_line_per_request():
    backend = SimBackend()
    trace = run_scenario(loads_scenario(SCENARIO), backend)
    out = trace.steps()[1]["output"].splitlines()
    served = sum(1 for r in trace.events if r.get("kind") == "request" and r.get("ok"))
    prefix = re.compile(r"web\.[12]\.[0-9a-z]{12}@node[12]    \| ")
    assert all(prefix.match(line) for line in out)
    assert sum(line.endswith("| ready for start up") for line in out) == 2
    assert sum(line.endswith("| GET / 200") for line in out) == served > 0
    for slot in ("1", "2"):  # each task's own lines in the order it printed them
        mine = [line.split("| ", 1)[1] for line in out if line.startswith(f"web.{slot}.")]
        assert mine[:2] == ["ready for start up", "second line"]
    # nginx:2 is not in images: it prints nothing, and the old tasks' lines are still there
    after = trace.steps()[-1]["output"].splitlines()
    assert after == out
