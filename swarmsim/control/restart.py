"""Restart policy decisions (swarmkit manager/orchestrator/restart/restart.go shouldRestart).

History is kept per slot (per node for global services) and per spec version:
the restart counter starts afresh whenever the service is updated.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import RestartCondition, Task, TaskState


@dataclass
class RestartHistory:
    spec_version: int = 0
    total: int = 0
    times: list[float] = field(default_factory=list)  # creation times of replacements, with a window

    def record(self, replacement: Task, now: float) -> None:
        """RecordRestartHistory: only counted when max attempts is set."""
        policy = replacement.spec.restart_policy
        if policy.max_attempts == 0:
            return
        if replacement.spec_version != self.spec_version:
            self.spec_version, self.total, self.times = replacement.spec_version, 0, []
        self.total += 1
        if policy.window:
            self.times.append(now)


def should_restart(t: Task, history: RestartHistory | None) -> bool:
    """Whether a task that stopped (or whose node went away) gets a replacement."""
    policy = t.spec.restart_policy
    if policy.condition is RestartCondition.NONE:
        return False
    if policy.condition is RestartCondition.ON_FAILURE and t.state == TaskState.COMPLETE:
        return False
    if policy.max_attempts == 0:
        return True
    if history is None or history.spec_version != t.spec_version:
        return True
    if not policy.window:
        return history.total < policy.max_attempts
    if not history.times:
        return True
    stamp = t.status_at
    lookback = stamp - policy.window
    history.times = [ts for ts in history.times if ts > lookback]
    recent = sum(1 for ts in history.times if ts < stamp)
    return recent < policy.max_attempts
