"""`python -m validation.localswarm up|down` leave a swarm that a run holds alone (machine-wide lock)."""
import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from validation import localswarm

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["down"], ["up", "2"]])
def test_the_command_line_refuses_while_a_run_holds_the_swarm(command, tmp_path):
    fd = os.open(localswarm.LOCK_PATH, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pytest.skip("a real local swarm is in use on this machine")
        env = {k: v for k, v in os.environ.items() if k != "SWARMSIM_LOCAL_LOCKED"}
        done = subprocess.run([sys.executable, "-m", "validation.localswarm", "--base-dir", str(tmp_path), *command],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    finally:
        os.close(fd)
    assert done.returncode == 1
    assert "another local swarm is in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())  # nothing was created or removed
