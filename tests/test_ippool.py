"""A stack of more services than its network has addresses: which run, as on 20.10 (docs/measurements.md (o)).

The CLI creates the services one call at a time; each service's VIP, its task's address and, on a
node's first task of the network, the node's load-balancer address are taken before the next call,
so the services run in creation order until the /24 is full; the one caught halfway holds a VIP with
its task NEW, the rest hold no VIP at all (inspect shows an empty Endpoint spec)."""
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.model import TaskState
from swarmsim.scenario import loads_scenario


def _deploy(folder, services: int, cluster: str, after: str = "", subnet: str | None = None, wait: int = 30):
    """The backend after the steps, and their trace."""
    net = (f"networks: {{default: {{external: true, name: small}}}}\n" if subnet else "")
    (folder / "st.yml").write_text("version: '3.8'\n" + net + "services:\n" +
                                   "".join(f"  s{i}: {{image: nginx}}\n" for i in range(services)))
    create = f"  - run: docker network create -d overlay --subnet {subnet} small\n" if subnet else ""
    text = (f"version: 1\ncluster: {cluster}\nsteps:\n{create}  - run: docker stack deploy -c st.yml s\n"
            f"  - wait: {wait}s\n{after}")
    backend = SimBackend()
    return backend, run_scenario(loads_scenario(text, str(folder / "s.yaml")), backend)


def _outcome(backend: SimBackend) -> list[tuple[bool, bool] | None]:
    """(holds a VIP, its task runs) per service of the stack, in creation order (the CLI's Go map order)."""
    swarm = backend.swarm
    out = []
    for service in sorted(swarm.store.services.values(), key=lambda s: s.created_at):
        tasks = swarm.store.service_tasks(service.id)
        out.append((bool(swarm.manager.allocator.vips(service)), any(t.state == TaskState.RUNNING for t in tasks)))
    return out


def test_five_hundred_services_on_twenty_nodes_run_until_the_default_subnet_is_full(tmp_path):
    """253 addresses: 20 load balancers, 116 services of two, one VIP; the other 383 services hold none."""
    backend, _ = _deploy(tmp_path, 500, "{managers: 3, workers: 17}")
    outcome = _outcome(backend)
    assert outcome == [(True, True)] * 116 + [(True, False)] + [(False, False)] * 383
    pool = backend.swarm.manager.allocator.pools["s_default"]
    assert pool.free == 0 and sum(o.startswith("lb:") for o in pool.owners) == 20


def test_three_hundred_services_on_two_nodes_as_measured(tmp_path):
    """Measured: 125 ran (the first 125 created), the 126th held the last VIP with its task New, 174 had no
    VIP; `service ps` shows New and no error, inspect an Endpoint of an empty spec. Removing the first
    service freed its two addresses to two services' VIPs, not to a waiting task."""
    before, _ = _deploy(tmp_path, 300, "{managers: 1, workers: 1}", wait=60)  # all 125 started
    assert _outcome(before) == [(True, True)] * 125 + [(True, False)] + [(False, False)] * 174
    swarm = before.swarm
    created = sorted(swarm.store.services.values(), key=lambda s: s.created_at)
    assert swarm.manager.allocator.vips(created[125]) == [("s_default", "10.0.1.254/24")]  # the last address
    first, last = created[0].name, created[-1].name
    after = (f"  - run: docker service ps {last}\n  - run: docker service inspect {last}\n"
             f"  - run: docker service rm {first}\n  - wait: 20s\n")
    backend, trace = _deploy(tmp_path, 300, "{managers: 1, workers: 1}", after)  # the same seed, the same order
    outcome = _outcome(backend)
    assert outcome[:125] == [(True, True)] * 124 + [(True, False)]
    assert outcome[125:].count((True, False)) == 2 and outcome[125:].count((False, False)) == 172
    allocator = backend.swarm.manager.allocator
    vips = [allocator.vips(s) for s in sorted(backend.swarm.store.services.values(), key=lambda s: s.created_at)]
    assert sorted(v[0][1] for v in vips[125:] if v) == ["10.0.1.2/24", "10.0.1.3/24"]  # the first's, after the wrap
    steps = list(trace.steps())
    ps, inspect = steps[2]["output"].splitlines(), json.loads(steps[3]["output"])
    assert ps[1].split()[3:] == ["Running", "New", "30", "seconds", "ago"]  # the same line as measured
    assert inspect[0]["Endpoint"] == {"Spec": {}}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.integers(27, 29), nodes=st.integers(1, 4), services=st.integers(1, 25))
def test_services_run_in_creation_order_until_the_pool_is_full(tmp_path_factory, prefix, nodes, services):
    """A prefix runs, at most one more holds a VIP; whenever a service waits the pool is empty, and each
    node running a task of the network holds a load-balancer address on it if any was left."""
    folder = tmp_path_factory.mktemp("pool")
    backend, _ = _deploy(folder, services, f"{{managers: 1, workers: {nodes - 1}}}", subnet=f"10.9.0.0/{prefix}")
    outcome = _outcome(backend)
    running = sum(runs for _, runs in outcome)
    assert outcome[:running] == [(True, True)] * running
    assert all(not runs for _, runs in outcome[running:]) and outcome[running + 1:].count((True, False)) == 0
    swarm = backend.swarm
    pool = swarm.manager.allocator.pools["small"]
    assert len(pool.owners) <= pool.capacity
    if running < services:
        assert pool.free == 0
    busy = {t.node for t in swarm.store.tasks.values() if t.state == TaskState.RUNNING}
    lbs = {o.removeprefix("lb:") for o in pool.owners if o.startswith("lb:")}
    assert lbs <= busy and (pool.free == 0 or lbs == busy)
