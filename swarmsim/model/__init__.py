"""Plain frozen data: nodes, services and tasks as the swarm's store holds them."""
from .node import Availability, Node, NodeStatus, Role
from .service import (EndpointSpec, FailureAction, FileRef, Healthcheck, Placement, PortConfig, Resources, RestartCondition,
                      RestartPolicy, Service, ServiceMode, ServiceSpec, TaskSpec, UpdateConfig, UpdateOrder,
                      UpdateState, UpdateStatus, Workload)
from .task import Task, TaskState

__all__ = [
    "Availability", "EndpointSpec", "FailureAction", "FileRef", "Healthcheck", "Node", "NodeStatus", "Placement", "PortConfig", "Resources",
    "RestartCondition", "RestartPolicy", "Role", "Service", "ServiceMode", "ServiceSpec", "Task", "TaskSpec",
    "TaskState", "UpdateConfig", "UpdateOrder", "UpdateState", "UpdateStatus", "Workload",
]
