"""Jobs (--mode replicated-job / global-job) as swarmkit's jobs orchestrators run them, and as docker prints them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from swarmsim.dockercli.parse import CommandError, parse_command_line
from swarmsim.model import ServiceMode
from swarmsim.scenario import ScenarioError
from swarmsim.testing.builders import final_tasks, run_yaml, scenario

MEASURED = Path(__file__).resolve().parent.parent / "validation" / "measurements" / "jobs"
IMAGE = "{job:1: {exit_after: 2s, exit_code: 0}}"


def job(line: str, *steps: str, cluster: str = "{managers: 1, workers: 2}", images: str = IMAGE):
    return run_yaml(scenario(f"run: docker service create -d --name job {line} job:1", *steps, cluster=cluster,
                             images=images))


def spans(trace, service="job") -> dict[tuple[str, int], tuple[float, float]]:
    """Per task: from its creation until it finished (or the end)."""
    out: dict[tuple[str, int], list[float]] = {}
    for e in trace.tasks():
        if e["service"] == service:
            span = out.setdefault((e["task"], e["gen"]), [e["t"], float("inf")])
            if e["state"] in ("complete", "failed", "shutdown", "rejected"):
                span[1] = min(span[1], e["t"])
    return {k: (a, b) for k, (a, b) in out.items()}


def step_output(trace, index: int) -> str:
    return next(e for e in trace.steps() if e["index"] == index)["output"]


# -- the CLI ----------------------------------------------------------------------------------------------------

def create(line: str):
    return parse_command_line("docker service create --name j " + line + " busybox").spec


def test_max_concurrent_defaults_to_replicas_and_both_to_one():
    assert (create("--mode replicated-job --replicas 6").max_concurrent, create("--mode replicated-job").replicas,
            create("--mode replicated-job").max_concurrent) == (6, 1, 1)
    spec = create("--mode replicated-job --replicas 6 --max-concurrent 2")
    assert (spec.mode, spec.replicas, spec.max_concurrent) == (ServiceMode.REPLICATED_JOB, 6, 2)


@pytest.mark.parametrize("line, error", [
    ("--max-concurrent 2", "max-concurrent can only be used with replicated-job mode"),
    ("--mode global --max-concurrent 2", "max-concurrent can only be used with replicated-job mode"),
    ("--mode global-job --replicas 2", "replicas can only be used with replicated or replicated-job mode"),
    ("--mode global-job --replicas 2 --max-concurrent 1", "max-concurrent can only be used with replicated-job mode"),
    ("--mode global-job --replicas-max-per-node 1 --max-concurrent 1",
     "replicas-max-per-node can only be used with replicated or replicated-job mode"),
    ("--mode replicated-job --update-parallelism 2", "update and rollback configuration is not supported for jobs"),
    ("--mode global-job --rollback-order start-first", "update and rollback configuration is not supported for jobs"),
])
def test_invalid_combinations_get_docker_clis_errors(line, error):
    with pytest.raises(CommandError) as info:
        create(line)
    assert str(info.value) == error


# -- the replicated job ------------------------------------------------------------------------------------------

def test_slots_are_numbered_from_zero_in_waves_of_max_concurrent():
    trace = job("--mode replicated-job --replicas 6 --max-concurrent 2", "wait: 15s")
    created = sorted((a, task) for (task, _), (a, _) in spans(trace).items())
    waves = [sorted(t for _, t in created[i:i + 2]) for i in (0, 2, 4)]
    assert waves == [["job.0", "job.1"], ["job.2", "job.3"], ["job.4", "job.5"]]
    assert {e["state"] for e in final_tasks(trace, "job")} == {"complete"}
    assert {e["desired"] for e in final_tasks(trace, "job")} == {"complete"}


@settings(max_examples=12, deadline=None)
@given(replicas=st.integers(1, 7), concurrent=st.integers(1, 4))
def test_max_concurrent_is_never_exceeded_and_every_completion_is_run_once(replicas, concurrent):
    trace = job(f"--mode replicated-job --replicas {replicas} --max-concurrent {concurrent}", "wait: 40s")
    intervals = list(spans(trace).values())
    for start, _ in intervals:  # at the instant any task is created, at most `concurrent` are unfinished
        assert sum(a <= start < b for a, b in intervals) <= concurrent
    done = [e for e in final_tasks(trace, "job") if e["state"] == "complete"]
    assert sorted(e["slot"] for e in done) == list(range(replicas))
    assert len(intervals) == replicas  # a completed task is never restarted (restart condition any)


def test_a_job_of_docker_s_largest_count_runs_its_first_wave_without_listing_every_slot():
    limits = "limits: {tasks: 18446744073709551615}\n"  # the default limit refuses it on load
    trace = run_yaml(limits + scenario("run: docker service create -d --name job --mode replicated-job --replicas "
                                       "18446744073709551615 --max-concurrent 2 job:1", "wait: 1s", images=IMAGE))
    assert sorted(e["slot"] for e in final_tasks(trace, "job")) == [0, 1]


def test_a_failed_task_is_restarted_in_its_slot_per_the_restart_policy():
    trace = job("--mode replicated-job --restart-max-attempts 2 --restart-delay 1s", "wait: 30s",
                images="{job:1: {exit_after: 1s, exit_code: 1}}")
    tasks = final_tasks(trace, "job")
    assert [(e["slot"], e["gen"], e["state"]) for e in sorted(tasks, key=lambda e: e["gen"])] == \
        [(0, 1, "failed"), (0, 2, "failed"), (0, 3, "failed")]


def test_a_new_spec_version_reruns_the_job():
    trace = job("--mode replicated-job --replicas 2", "wait: 6s", "run: docker service update -d --force job",
                "wait: 6s", "run: docker service ls", "run: docker service ps job")
    done = [e for e in final_tasks(trace, "job") if e["state"] == "complete"]
    assert sorted(e["slot"] for e in done) == [0, 0, 1, 1]
    assert "replicated job   0/2 (2/2 completed)" in step_output(trace, 4)
    assert step_output(trace, 5).count("Complete        Complete") == 4


def test_scale_sets_a_replicated_job_s_total_completions_and_reruns_it():
    """docker service scale sets a replicated job's TotalCompletions (scale.go), not its MaxConcurrent; the new
    spec version is a new iteration of the job. A global job cannot be scaled."""
    trace = job("--mode replicated-job --replicas 2 --max-concurrent 2", "wait: 6s", "run: docker service scale -d job=4",
                "wait: 10s", "run: docker service ls")
    assert step_output(trace, 2) == "job scaled to 4"
    done = [e for e in final_tasks(trace, "job") if e["state"] == "complete"]
    assert sorted(e["slot"] for e in done) == [0, 0, 1, 1, 2, 3]
    assert "replicated job   0/2 (4/4 completed)" in step_output(trace, 4)
    with pytest.raises(ScenarioError, match="job: scale can only be used with replicated or replicated-job mode"):
        job("--mode global-job", "run: docker service scale job=3")


def test_completed_tasks_hold_no_reservation():
    """One CPU, a job of three tasks reserving all of it: each completed task frees the node for the next."""
    trace = job("--mode replicated-job --replicas 3 --reserve-cpu 1", "wait: 30s", cluster="{managers: 1, workers: 0}")
    assert sorted(e["slot"] for e in final_tasks(trace, "job") if e["state"] == "complete") == [0, 1, 2]


# -- the global job ------------------------------------------------------------------------------------------------

JOIN_CLUSTER = "{nodes: [{name: m1, role: manager}, {name: w1}, {name: w2, joined: false}]}"


def test_a_global_job_runs_once_per_node_and_a_joining_node_gets_its_task():
    trace = run_yaml(scenario("run: docker service create -d --name job --mode global-job job:1", "wait: 8s",
                              "run: docker swarm join --token SWMTKN-1-worker m1:2377\n    on: w2", "wait: 8s",
                              "run: docker service ls", cluster=JOIN_CLUSTER, images=IMAGE))
    tasks = final_tasks(trace, "job")
    assert sorted((e["node"], e["gen"], e["state"]) for e in tasks) == \
        [("m1", 1, "complete"), ("w1", 1, "complete"), ("w2", 1, "complete")]
    assert "global job   0/0 (3/3 completed)" in step_output(trace, 4)


# -- docker's output, against the real captures -------------------------------------------------------------------

def normalised(text: str) -> str:
    """IDs replaced by as many X (task and service) or N (node), ages by a fixed one, so widths still count."""
    text = re.sub(r"(?<=\.)[a-z0-9]{25}\b", "N" * 25, text)
    text = re.sub(r"^[a-z0-9]{12}(?=   )", "X" * 12, text, flags=re.M)
    return re.sub(r"\d+ seconds ago", "N seconds ago", text)


def cells(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.rstrip()) for line in text.splitlines()]


REAL = {  # the create line of validation/measurements/jobs (workload `sh -c 'sleep 2'`), when `after` was captured
    "job": ("--mode replicated-job --replicas 6 --max-concurrent 2", "14s"),
    "gjob": ("--mode global-job", "8s"),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_service_ls_and_ps_after_the_job_print_what_docker_printed(name):
    """`ls` byte for byte up to IDs; `ps` up to IDs and which node ran which task (the header byte for byte)."""
    line, after = REAL[name]
    trace = run_yaml(scenario(f"run: docker service create -d --no-resolve-image --name {name} {line} "
                              "swarmsim/busybox:1", f"wait: {after}", "run: docker service ls",
                              f"run: docker service ps {name}",
                              images="{swarmsim/busybox:1: {exit_after: 2s, exit_code: 0}}"))
    for k in (1, 2, 3):
        ls = (MEASURED / f"{name}_r{k}.after.ls.txt").read_text()
        assert normalised(step_output(trace, 2)) == normalised(ls)
        ps = (MEASURED / f"{name}_r{k}.after.ps.txt").read_text()
        ours = normalised(step_output(trace, 3))
        assert ours.splitlines()[0] == normalised(ps).splitlines()[0]  # the header, its widths included
        strip_nodes = [[c for i, c in enumerate(row) if i != 3] for row in cells(normalised(ps))]
        assert sorted(row[1:] for row in strip_nodes) == sorted(
            row[1:] for row in [[c for i, c in enumerate(r) if i != 3] for r in cells(ours)])


def test_inspect_pretty_names_no_mode_for_a_job():
    trace = job("--mode replicated-job --replicas 2", "wait: 1s", "run: docker service inspect --pretty job")
    assert "\nName:\t\tjob\nService Mode:\nPlacement:\n" in step_output(trace, 2)  # the template knows two modes


def test_an_attached_create_shows_docker_clis_job_progress_and_returns_when_complete():
    trace = run_yaml(scenario("run: docker service create --name job --mode replicated-job --replicas 3 "
                              "--max-concurrent 2 job:1", images=IMAGE))
    full = "[" + "=" * 50 + ">]"
    assert step_output(trace, 0).splitlines()[1:] == [
        f"job progress: 3 out of 3 complete {full}", "active tasks: 0 out of 0 tasks",
        f"1/3: complete  {full}", f"2/3: complete  {full}", f"3/3: complete  {full}", "job complete"]
    # three tasks of 2 s, two at a time: done in two waves, with no verify countdown after
    assert 5.0 < next(e for e in trace.steps() if e["index"] == 0)["t"] < 7.0


# -- the kept real measurements (validation/measurements/jobs: 3 runs of each job on a local 3-node swarm) ------

def test_job_completion_times_agree_with_the_real_swarm_within_ten_percent():
    """The last task complete, from the create step: the replicated job's three waves (10.06 s observed,
    median of 3 runs) and the global job on 3 nodes (3.56 s)."""
    import json
    from validation.rows import _job_completions
    from validation.suite import simulate
    measured = json.loads((MEASURED / "timelines.json").read_text())
    predicted = {name: times[-1] - start for name, (start, times) in _job_completions(simulate("j_jobs")).items()}
    for name in ("job", "gjob"):
        observed = measured["summary"][name]["last complete"]["median"]
        assert abs(predicted[name] - observed) <= 0.10 * observed, (name, predicted[name], observed)


def test_compose_deploy_modes_are_convert_deploy_modes():
    from swarmsim.scenario.compose import Field, FieldError, service
    spec = service("j", Field({"image": "busybox", "deploy": {"mode": "replicated-job", "replicas": 4}}))
    assert (spec.mode, spec.replicas, spec.max_concurrent) == (ServiceMode.REPLICATED_JOB, 4, 4)
    assert service("g", Field({"image": "busybox", "deploy": {"mode": "global-job"}})).mode is ServiceMode.GLOBAL_JOB
    with pytest.raises(FieldError, match="replicas can only be used with replicated or replicated-job mode"):
        service("g", Field({"image": "busybox", "deploy": {"mode": "global-job", "replicas": 2}}))
