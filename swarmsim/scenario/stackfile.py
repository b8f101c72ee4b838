"""The compose files of a `docker stack deploy -c FILE ... STACK` step, read as docker reads them.

docker/cli `cli/command/stack/loader` and `cli/compose/{loader,convert}`: each
file is parsed, its `${VAR}`s substituted (scenario `env:` first, then the
process environment), checked against the compose 3.x schema of its `version:`,
the files merged in order, and the result converted: names become `STACK_NAME`,
every object carries the `com.docker.stack.namespace` label, services without
`networks:` join `STACK_default`. Every problem of every file is reported at
once, each with its file, line and key; the file is named as the step wrote it.
"""
from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path as FilePath
from typing import Mapping

from . import compose, composeschema, externals, volumes, yamlv2
from .compose import Field, FieldError, Path
from .interpolate import interpolate
from .loader import ScenarioError, Document, object_data
from ..dockercli.envfile import EnvFileError, parse_env_file
from ..inputs import InputError, read_bytes, read_text
from ..dockercli import validate
from ..model import ServiceSpec
from ..model.gofmt import go_float
from ..model.limits import EXPANDED_TEXT
from ..model.scenario import NetworkDecl
from ..model.service import Mount, ref_names
from ..model.stack import IMAGE_LABEL, NAMESPACE_LABEL, Stack, SwarmObject


class ComposeErrors(ScenarioError):
    """Several problems in stack files; str() is one `FILE:LINE: KEY: message` line each."""

    def __init__(self, errors: list[ScenarioError]):
        first = errors[0]
        super().__init__(first.source, first.line, first.path, first.message)
        self.errors = errors
        self.args = ("\n".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return self.args[0]


class _StepError(ValueError):
    """A file the step names that cannot be read: reported at the step's line."""


class _File:
    """One compose file: its document (for lines), its data after interpolation, its folder."""

    def __init__(self, shown: str, path: FilePath, doc: Document):
        self.shown, self.path, self.doc = shown, path, doc
        self.raw = doc.root.value
        self.data = self.raw
        self.logged: list[str] = []  # what docker/cli's loader logs as warnings while it reads the file

    def error(self, path: Path, message: str) -> ScenarioError:
        return self.doc.error(path, message)


def _version(data: dict) -> str:
    """schema.Version: a missing version is 1.0 (which stack deploy refuses), "3" is 3.0."""
    text = str(data.get("version", "1.0"))
    return "3.0" if text == "3" else text


def _env_file(file: _File, folder: FilePath, field: Field, lookup,
              budget: int) -> tuple[list[str], list[ScenarioError]]:
    """The `KEY=VALUE` lines of a service's env_file(s) (relative to `folder`, the first file's: docker's
    working directory for the whole stack), read as docker/cli's loader reads them: opts.ParseEnvFile,
    the same reader as `service create --env-file`; past `budget` characters, an error and no more."""
    names = [field.value] if isinstance(field.value, str) else [i.text() for i in field.items()]
    out, errors, used = [], [], 0
    for name in names:
        if used > budget:
            errors.append(file.error(field.path, f"the services' env files hold more than {EXPANDED_TEXT:,} "
                                                 "characters together, by this one (expected smaller env files)"))
            break
        try:
            path = (folder / name).resolve()
        except RuntimeError:  # a symlink loop (Python 3.11's resolve): the read below says so
            path = FilePath(os.path.abspath(folder / name))
        if not os.path.lexists(path):
            errors.append(file.error(field.path, f"Couldn't find env file: {path}"))
            continue
        try:
            lines = parse_env_file(read_bytes(path, "env file"), str(path), lookup)
            out += lines
            used += sum(map(len, lines))
        except InputError as err:
            at = f" at line {err.line}" if err.line else ""
            errors.append(file.error(field.path, f"invalid env file ({path}): {err.message}{at}"))
        except EnvFileError as err:
            errors.append(file.error(field.path, f"invalid env file ({path}): {err}"))
    return out, errors


def _with_env_files(file: _File, folder: FilePath, lookup) -> list[ScenarioError]:
    """Each service's env_file lines put before its environment (environment wins, as in compose)."""
    errors, size = [], 0
    services = file.data.get("services")
    for name, service in (services if isinstance(services, dict) else {}).items():  # else the schema says why
        if not isinstance(service, dict) or service.get("env_file") is None:
            continue
        where = ("services", name, "env_file")
        lines, problems = _env_file(file, folder, Field(service["env_file"], where), lookup, EXPANDED_TEXT - size)
        errors += problems
        size += sum(map(len, lines))
        if problems and size > EXPANDED_TEXT:
            break
        env = service.get("environment") or []
        own = env if isinstance(env, list) else [k if v is None else f"{k}={v}" for k, v in env.items()]
        keys = {item.partition("=")[0] for item in own if isinstance(item, str)}
        service["environment"] = [line for line in lines if line.partition("=")[0] not in keys] + own
    return errors


def _merge(base: object, over: object, path: tuple = ()) -> object:
    """A later file over an earlier one, as docker/cli's loader merges (merge.go, mergo with WithOverride and
    WithAppendSlice): mappings key by key; in a service, `ports` by published port and `secrets`/`configs` by
    source (the later file's item wins, the result sorted by that key), `volumes` appended, `environment` and
    `labels` by variable; any other value replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value, path + (key,)) if key in base else value
        return out
    if len(path) >= 3 and path[0] == "services" and isinstance(base, list) and isinstance(over, list):
        key = path[-1] if len(path) == 3 else ".".join(path[2:])
        if key == "ports":
            return _merged_ports(base, over, path)
        if key in ("secrets", "configs"):
            return _keyed(base, over, lambda item: item.get("source") if isinstance(item, dict) else item)
        if key == "volumes":
            return base + over
    if len(path) >= 3 and path[0] == "services" and path[2:] in (("environment",), ("labels",), ("deploy", "labels")):
        if isinstance(base, (list, dict)) and isinstance(over, (list, dict)):
            return [f"{k}={v}" if v is not None else k for k, v in {**_pairs(base), **_pairs(over)}.items()]
    return over


def _keyed(base: list, over: list, key) -> list:
    """mergeSlice: both lists as maps by `key`, the later item winning, back to a list in key order."""
    merged = {key(item): item for item in base} | {key(item): item for item in over}
    return [merged[k] for k in sorted(merged, key=str)]


def _merged_ports(base: list, over: list, path: tuple) -> list:
    """toServicePortConfigsMap: ports keyed by their published port (so two unpublished ones are one)."""
    try:
        ports = [compose.ports(Field(items, path)) for items in (base, over)]
    except FieldError:
        return over  # the converter reports it, at its line
    merged = {p.published: p for p in ports[0]} | {p.published: p for p in ports[1]}
    return [{"target": p.target, "protocol": p.protocol, "mode": p.mode} | ({"published": p.published}
                                                                            if p.published else {})
            for _, p in sorted(merged.items())]


def _pairs(value: list | dict) -> dict:
    """`environment`/`labels` as a mapping: `K=V` items split, `K` alone with no value."""
    if isinstance(value, dict):
        return dict(value)
    return {str(item).partition("=")[0]: (str(item).partition("=")[2] if "=" in str(item) else None)
            for item in value}


def _not_json(value: object, path: Path = ()) -> list[tuple[Path, float]]:
    """The infinite and NaN numbers in `value` (`.inf`, `.nan`), which Go's encoding/json cannot write."""
    if isinstance(value, float) and not math.isfinite(value):
        return [(path, value)]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [found for key, item in items for found in _not_json(item, path + (key,))]


def _read_files(names: tuple[str, ...], base: FilePath, lookup) -> tuple[list[_File], list[ScenarioError]]:
    files, errors = [], []
    version = None
    for name in names:
        path = base / name
        try:
            if not os.path.lexists(path):
                raise _StepError(f"open {name}: no such file or directory (the compose file is read relative to "
                                 "the scenario)")
            text = read_text(path, "compose file")
        except InputError as err:
            raise _StepError(f"{name}" + (f":{err.line}" if err.line else "") + f": {err.message} (the compose file "
                             "is read relative to the scenario)") from None
        file = _File(name, path, Document.parse(text, name, compose=True))
        if not isinstance(file.raw, dict):
            errors.append(file.error((), "Top-level object must be a mapping"))
            continue
        errors += [file.error(where, yamlv2.non_string_key(where, key)) for where, key in file.doc.typed_keys.items()
                   if not isinstance(key, str)]
        files.append(file)
        this = _version(file.raw)
        if this not in composeschema.VERSIONS:
            errors.append(file.error(("version",), f"unsupported Compose file version: {this} (docker stack deploy "
                                                   f"reads versions 3.0 to {composeschema.LATEST})"))
            continue
        if version is not None and this != version:
            errors.append(file.error(("version",), f"version mismatched between two composefiles : {version} and "
                                                   f"{this}"))
        version = version or this
        file.data, problems = interpolate(file.raw, lookup)
        errors += [file.error(e.path, e.message) for e in problems]
        infinite = [file.error(p, f"json: unsupported value: {go_float(v)}") for p, v in _not_json(file.data)]
        if infinite:  # the schema check marshals the file to JSON first, and stops there
            errors += infinite
            continue
        schema = composeschema.check(file.data, this)
        bad = {e.path for e in problems}  # a value left as written: its type is not the news
        errors += [file.error(p, message) for p, message in schema if p not in bad]
        if schema:
            continue
        errors += _with_env_files(file, (base / names[0]).parent, lookup)
        problems, file.logged = externals.check(file.data, this)
        errors += [file.error(p, message) for p, message in problems]
        file.logged[:0] = [line for service in file.data.get("services", {}).values()
                           for port in service.get("ports") or [] for line in compose.host_address_warnings(port)]
    return files, errors


class _Converter:
    """The merged files into a `Stack` (convert.Services, Networks, Secrets, Configs)."""

    def __init__(self, namespace: str, files: list[_File], home: str | None = None):
        self.namespace, self.files, self.home = namespace, files, home  # home: HOME, for a bind source's `~`
        self.data: dict = {}
        for file in files:
            self.data = _merge(self.data, file.data)
        self.errors: list[ScenarioError] = []

    def scope(self, name: str) -> str:
        return f"{self.namespace}_{name}"

    def labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        return {**labels, NAMESPACE_LABEL: self.namespace}

    def fail(self, path: Path, message: str) -> None:
        """Report at the last file that has `path` (an override file's line wins)."""
        owner = next((f for f in reversed(self.files) if path in f.doc.lines), self.files[-1])
        self.errors.append(owner.error(path, message))

    def section(self, key: str) -> dict:
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}

    def objects(self, kind: str) -> tuple[dict[str, str], tuple[SwarmObject, ...]]:
        """Secrets or configs: the swarm name of each, and the ones to create (read from their files)."""
        names, created = {}, []
        for key, value in self.section(kind).items():
            field = Field(value if isinstance(value, dict) else {}, (kind, key))
            try:
                external = compose.external_name(key, field)
                own = field.get("name", Field.name)
                names[key] = external or own or self.scope(key)
                driver = field.get("driver", Field.text, "") if kind == "secrets" else ""
                if external is None:
                    size, data = self.file_data(kind.removesuffix("s"), field, driver)
                    created.append(SwarmObject(names[key], self.labels(field.get("labels", Field.string_map, {})),
                                               size, data, driver))
            except FieldError as err:
                self.fail(err.path, err.message)
        return names, tuple(created)

    def file_data(self, kind: str, field: Field, driver: str) -> tuple[int, bytes]:
        """The object's file (loader.object_data), relative to the first file's folder as every path of the stack
        (convert.fileObjectConfig): without one it reads that folder itself; a driver's secret has none."""
        if driver:
            return 0, b""
        path = self.files[0].path.parent / field.get("file", Field.text, "")
        try:
            path = path.resolve()
        except RuntimeError:  # a symlink loop (Python 3.11's resolve): the read below says so at the file's line
            path = FilePath(os.path.abspath(path))
        if path.is_dir():
            raise field.fail(f"read {path}: is a directory")
        return object_data(kind, path, field)

    def networks(self, used: list[str]) -> tuple[dict[str, str], tuple[NetworkDecl, ...], tuple[str, ...]]:
        declared = self.section("networks")
        names, created, external = {}, [], []
        for key in used:
            field = Field(declared.get(key), ("networks", key))
            try:
                outside = compose.external_name(key, field)
                if outside is not None:
                    names[key] = outside
                    external.append(outside)
                    continue
                decl = compose.network(key, field)
                own = field.get("name", Field.name) if isinstance(field.value, dict) else None
                names[key] = own or self.scope(key)
                created.append(replace(decl, name=names[key], labels=self.labels(decl.labels)))
            except FieldError as err:
                self.fail(err.path, err.message)
        return names, tuple(created), tuple(external)

    def check_refs(self, name: str, spec: ServiceSpec, raw: dict) -> None:
        """convert.Service's "undefined network/secret/config/volume" checks, per service."""
        where = ("services", name)
        for net in spec.task.networks:
            if net not in self.section("networks") and net != "default":
                self.fail(where + ("networks",), f'service {name}: undefined network "{net}"')
        for kind, refs in (("secrets", spec.task.secrets), ("configs", spec.task.configs)):
            for ref in ref_names(refs):
                if ref not in self.section(kind):
                    self.fail(where + (kind,), f'service {name}: undefined {kind[:-1]} "{ref}"')

    def mounts(self, name: str, raw: dict) -> tuple[Mount, ...]:
        """convert.Volumes: the service's `volumes:` as the Mounts the CLI sends, a refused one at its line (the
        short syntax's errors are the loader's, the others convert.Service's, named after the service)."""
        items, out = raw.get("volumes"), []
        stack_volumes = self.section("volumes")
        folder = os.path.dirname(os.path.abspath(self.files[0].path))
        for i, item in enumerate(items if isinstance(items, list) else []):  # else the schema says why
            where = ("services", name, "volumes", i)
            try:
                volume = volumes.short(item) if isinstance(item, str) else item
            except volumes.VolumeError as err:
                self.fail(where, str(err))
                continue
            if not isinstance(volume, dict):
                continue
            try:
                out.append(volumes.mount(volume, stack_volumes, self.namespace, folder, self.home))
            except volumes.VolumeError as err:
                self.fail(where, f"service {name}: {err}")
        return tuple(out)

    def check_names(self, name: str, spec: ServiceSpec) -> None:
        """The service's name in the stack and its image, refused as the scenario's own are (the daemon refuses
        them when the deploy runs), at the stack file's line."""
        scoped = self.scope(name)
        if validate.swarm_name(name) and (problem := validate.swarm_name(scoped)):  # else the step's stack name
            self.fail(("services", name), f"service {scoped!r}: {problem}")         # is at fault: said at its line
        if spec.task.image and (problem := validate.image_reference(spec.task.image)):
            self.fail(("services", name, "image"), f"service {scoped!r} ({spec.task.image!r}): {problem}")

    def stack(self, warnings: str) -> Stack:
        specs = []
        for name, raw in self.section("services").items():
            try:
                spec = compose.service(name, Field(raw, ("services", name)), stack_file=True)
            except FieldError as err:
                self.fail(err.path, err.message)
                continue
            self.check_refs(name, spec, raw if isinstance(raw, dict) else {})
            self.check_names(name, spec)
            specs.append(replace(spec, task=replace(spec.task, mounts=self.mounts(name, raw if isinstance(raw, dict)
                                                                                    else {}))))
        used = list(dict.fromkeys(n for s in specs for n in (s.task.networks or ("default",))))
        net_names, networks, external = self.networks(used)
        secret_names, secrets = self.objects("secrets")
        config_names, configs = self.objects("configs")
        if self.errors:
            raise ComposeErrors(self.errors)
        services = tuple(replace(
            spec, name=self.scope(spec.name),
            labels={**self.labels(spec.labels), IMAGE_LABEL: spec.task.image},
            task=replace(spec.task, **_attachments(spec, net_names),
                         labels=tuple(sorted(self.labels(dict(spec.task.labels)).items())),
                         secrets=_scoped(spec.task.secrets, secret_names),
                         configs=_scoped(spec.task.configs, config_names)))
            for spec in specs)
        return Stack(self.namespace, services, networks, external, secrets, configs, warnings)


_NOT_USER_DEFINED = ("default", "bridge", "host", "none")  # container.NetworkMode's, which take no alias


def _attachments(spec, net_names: Mapping[str, str]) -> dict:
    """convertServiceNetworks: the networks by their swarm names, sorted, each with its aliases and, on a
    user-defined network, the service's name in the file."""
    short = spec.name
    given = dict(zip(spec.task.networks, spec.task.aliases)) if spec.task.networks else {"default": ()}
    pairs = sorted((net_names[n], given[n] + ((short,) if net_names[n] not in _NOT_USER_DEFINED and
                                              not net_names[n].startswith("container:") else ()))
                   for n in given)
    return {"networks": tuple(t for t, _ in pairs), "aliases": tuple(a for _, a in pairs)}


def _scoped(refs, names: Mapping[str, str]) -> tuple:
    """convertFileObject's swarm names, sorted by them as convertServiceSecrets/ConfigObjs sort."""
    return tuple(sorted((replace(r, source=names[r.source]) for r in refs), key=lambda r: r.source))


def read_stack(names: tuple[str, ...], base: FilePath, namespace: str, env: Mapping[str, str]) -> Stack:
    """The stack the files `names` (relative to `base`) describe; `env` before the process environment."""
    def lookup(name: str) -> str | None:
        return env[name] if name in env else os.environ.get(name)

    files, errors = _read_files(names, base, lookup)
    if errors:
        raise ComposeErrors(errors)
    logged = "".join(f'level=warning msg="{line}"\n' for f in files for line in f.logged)
    warnings = logged + composeschema.warnings_text([f.raw for f in files])
    return _Converter(namespace, files, lookup("HOME")).stack(warnings)


def check_stack_command(world, f: Field, cmd):
    """A stack step against the world at that step (loader._World): a deploy reads its files and
    adds its services and networks; rm takes them away; ps needs a stack with services."""
    from ..dockercli import commands as c
    if isinstance(cmd, c.StackDeploy):
        world.text += sum(os.path.getsize(world.base / name) for name in cmd.files  # parsed once per deploy
                          if os.path.isfile(world.base / name))
        if world.text > world.limits.text:
            raise f.fail(f"the steps' specs and stack files hold {world.text:,} characters of text by this deploy, "
                         f"over the limit of {world.limits.text:,} (expected fewer or smaller deploys, or raise it "
                         "with limits.text)")
        key = (cmd.files, cmd.namespace)  # the files, env: and environment do not change while a scenario loads
        if key not in world.stack_reads:
            try:
                world.stack_reads[key] = read_stack(cmd.files, world.base, cmd.namespace, world.env)
            except _StepError as err:
                raise f.fail(str(err)) from None
        stack = world.stack_reads[key]
        names = {s.name for s in stack.services}
        old = world.stacks.get(cmd.namespace, set())
        for name in names - old:
            if name in world.services:
                raise f.fail(f"service {name} already exists outside stack {cmd.namespace} (expected a new name)")
        if cmd.prune:
            for name in old - names:
                world.remove_service(name)
        world.stacks[cmd.namespace] = names | (set() if cmd.prune else old)
        world.networks.update(n.name for n in stack.networks)
        for spec in stack.services:
            world.add_service(f.path, spec, deployed=True)
        return replace(cmd, stack=stack)
    if isinstance(cmd, c.StackRm):
        for namespace in cmd.namespaces:
            for name in world.stacks.pop(namespace, set()):
                world.remove_service(name)
    return cmd
