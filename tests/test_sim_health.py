"""Healthchecks gate RUNNING (moby executor controller.go Start; daemon/health.go)."""
from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.dockercli.parse import parse_command_line
from swarmsim.scenario import loads_scenario

SCENARIO = """
version: 1
name: health
cluster: {{managers: 1, workers: 1}}
timing: {{ingress_setup: 0s}}
images:
  app:1: {{start_time: {start}s, healthy: {healthy}, ignore_sigterm: {ignore}}}
steps:
  - run: docker service create -d --name app --health-cmd "true" --health-interval 2s --health-retries 3 app:1
  - wait: 20s
"""


def _trace(start: float, healthy: bool, ignore_sigterm: bool = False):
    text = SCENARIO.format(start=start, healthy=str(healthy).lower(), ignore=str(ignore_sigterm).lower())
    return run_scenario(loads_scenario(text), SimBackend())


def test_a_task_runs_only_after_its_first_passing_probe():
    starting = metrics.first_times(_trace(0.0, True), "app", "starting")
    running = metrics.first_times(_trace(0.0, True), "app", "running")
    [(key, t_run)] = running.items()
    assert 2.0 <= t_run - starting[key] <= 2.6  # the first probe comes one interval after the container starts


def test_probes_repeat_until_the_process_serves():
    [(key, t_run)] = metrics.first_times(_trace(5.0, True), "app", "running").items()
    t_start = metrics.first_times(_trace(5.0, True), "app", "starting")[key]
    assert 6.0 <= t_run - t_start <= 6.6  # probes at 2, 4 fail; the one at 6 s passes


def test_an_unhealthy_task_is_stopped_at_once_and_finishes_if_it_exits_cleanly():
    """Start stops the container itself (no 1 s retry backoff); a clean exit lets Start return, so the
    task is complete, never failed (real swarm, q: starting -> complete 2.4 s with two 1 s probes)."""
    trace = _trace(0.0, False)
    assert not [e for e in trace.tasks() if e["state"] == "failed"]
    [(key, done)] = list(metrics.first_times(trace, "app", "complete").items())[:1]
    started = metrics.first_times(trace, "app", "starting")[key]
    # container start 0.26 s, probes at 2 s and 4 s fail, the third at 6 s makes it unhealthy; stop_exit
    assert 6.26 <= done - started <= 6.5
    assert len({e["gen"] for e in trace.tasks()}) >= 2  # the restart policy made replacements


def test_an_unhealthy_task_that_ignores_sigterm_is_killed_and_fails_with_the_unhealthy_cause():
    trace = _trace(0.0, False, ignore_sigterm=True)
    failed = [e for e in trace.tasks() if e["state"] == "failed"]
    assert failed and failed[0]["err"] == "task: non-zero exit (137): dockerexec: unhealthy container"
    assert not metrics.first_times(trace, "app", "running")


def test_health_flags_parse_onto_the_spec_and_update_merges_them():
    create = parse_command_line("docker service create --name a --health-cmd 'curl -f x' --health-retries 5 img")
    check = create.spec.task.healthcheck
    assert (check.test, check.interval, check.retries) == (("CMD-SHELL", "curl -f x"), 0.0, 5)  # unset, as sent
    assert check.probe_interval == 30.0  # the engine's default
    from swarmsim.dockercli.parse import apply_update
    update = parse_command_line("docker service update --health-interval 3s a")
    assert apply_update(create.spec, update.changes).task.healthcheck.interval == 3.0
    disabled = parse_command_line("docker service update --no-healthcheck a")
    assert not apply_update(create.spec, disabled.changes).task.healthcheck.enabled
