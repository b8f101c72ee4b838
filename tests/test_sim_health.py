"""Healthchecks gate RUNNING (moby executor controller.go Start; daemon/health.go)."""
from swarmsim import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.docker_cli import parse_command_line
from swarmsim.scenario import loads_scenario

SCENARIO = """
version: 1
name: health
cluster: {{managers: 1, workers: 1}}
timing: {{first_start: 0s}}
images:
  app:1: {{start_time: {start}s, healthy: {healthy}}}
steps:
  - run: docker service create -d --name app --health-cmd "true" --health-interval 2s --health-retries 3 app:1
  - wait: 20s
"""


def _trace(start: float, healthy: bool):
    return run_scenario(loads_scenario(SCENARIO.format(start=start, healthy=str(healthy).lower())), SimBackend())


def test_a_task_runs_only_after_its_first_passing_probe():
    starting = metrics.first_times(_trace(0.0, True), "app", "starting")
    running = metrics.first_times(_trace(0.0, True), "app", "running")
    [(key, t_run)] = running.items()
    assert 2.0 <= t_run - starting[key] <= 2.6  # the first probe comes one interval after the container starts


def test_probes_repeat_until_the_process_serves():
    [(key, t_run)] = metrics.first_times(_trace(5.0, True), "app", "running").items()
    t_start = metrics.first_times(_trace(5.0, True), "app", "starting")[key]
    assert 6.0 <= t_run - t_start <= 6.6  # probes at 2, 4 fail; the one at 6 s passes


def test_an_unhealthy_task_fails_after_retries_and_is_replaced():
    trace = _trace(0.0, False)
    failed = [e for e in trace.tasks() if e["state"] == "failed"]
    assert failed and failed[0]["err"].endswith("dockerexec: unhealthy container")
    assert not metrics.first_times(trace, "app", "running")
    assert len({e["gen"] for e in trace.tasks()}) >= 2  # the restart policy made replacements


def test_health_flags_parse_onto_the_spec_and_update_merges_them():
    create = parse_command_line("docker service create --name a --health-cmd 'curl -f x' --health-retries 5 img")
    check = create.spec.task.healthcheck
    assert (check.test, check.interval, check.retries) == (("CMD-SHELL", "curl -f x"), 30.0, 5)
    from swarmsim.docker_cli import apply_update
    update = parse_command_line("docker service update --health-interval 3s a")
    assert apply_update(create.spec, update.changes).task.healthcheck.interval == 3.0
    disabled = parse_command_line("docker service update --no-healthcheck a")
    assert not apply_update(create.spec, disabled.changes).task.healthcheck.enabled
