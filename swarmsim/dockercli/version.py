"""`docker version`: the client and the engine the simulator stands for.

The build is the one the local validation swarm runs, Debian's docker.io 20.10.24+dfsg1, as `docker version`
printed it there (tests/fixtures/cli_output/version.json). The text is laid out by Go's text/tabwriter as
docker/cli's prettyPrintVersion configures it (minwidth 20, padding 1), and `-f` runs over the document
docker/cli builds (system.versionInfo), the engine's BuildTime reformatted as time.ANSIC.
"""
from __future__ import annotations

from . import template

CLIENT = {"Platform": {"Name": ""}, "Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "DefaultAPIVersion": "1.41",
          "GitCommit": "297e128", "GoVersion": "go1.19.8", "Os": "linux", "Arch": "amd64",
          "BuildTime": "Thu May  7 21:09:36 2026", "Context": "default", "Experimental": True}
_ENGINE = {"ApiVersion": "1.41", "Arch": "amd64", "BuildTime": "Thu May  7 21:09:36 2026", "Experimental": "false",
           "GitCommit": "5d6db84", "GoVersion": "go1.19.8", "KernelVersion": "6.18.44-fc-v1098",
           "MinAPIVersion": "1.12", "Os": "linux"}
SERVER = {"Platform": {"Name": ""},
          "Components": [{"Name": "Engine", "Version": "20.10.24+dfsg1", "Details": _ENGINE},
                         {"Name": "containerd", "Version": "1.6.20~ds1", "Details": {"GitCommit": "1.6.20~ds1-1+deb12u3"}},
                         {"Name": "runc", "Version": "1.1.5+ds1", "Details": {"GitCommit": "1.1.5+ds1-1+deb12u1"}},
                         {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": ""}}],
          "Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12", "GitCommit": "5d6db84",
          "GoVersion": "go1.19.8", "Os": "linux", "Arch": "amd64", "KernelVersion": "6.18.44-fc-v1098",
          "BuildTime": "2026-05-07T21:09:36.000000000+00:00"}


def tabwriter(text: str, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter (padchar ' ', no flags): a cell is text ended by a tab; a column block is a run of
    consecutive lines with a cell in that column, padded to its widest cell plus `padding` (at least
    `minwidth`); a line's last text is no cell and is not padded. Hand-written: no library lays text out so."""
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[list[int]] = [[0] * (len(cells) - 1) for cells in lines]

    def blocks(first: int, last: int, column: int) -> None:
        i = first
        while i < last:
            if column >= len(lines[i]) - 1:
                i += 1
                continue
            j, width = i, minwidth
            while j < last and column < len(lines[j]) - 1:
                width = max(width, len(lines[j][column]) + padding)
                j += 1
            for k in range(i, j):
                widths[k][column] = width
            blocks(i, j, column + 1)
            i = j

    blocks(0, len(lines), 0)
    return "\n".join("".join(c.ljust(w) for c, w in zip(cells, ws)) + cells[-1] for cells, ws in zip(lines, widths))


def _default(server: bool) -> str:
    c = CLIENT
    lines = ["Client:", f" Version:\t{c['Version']}", f" API version:\t{c['ApiVersion']}",
             f" Go version:\t{c['GoVersion']}", f" Git commit:\t{c['GitCommit']}", f" Built:\t{c['BuildTime']}",
             f" OS/Arch:\t{c['Os']}/{c['Arch']}", f" Context:\t{c['Context']}", " Experimental:\ttrue"]
    if server:
        lines += ["", "Server:"]
        for part in SERVER["Components"]:
            d = part["Details"]
            lines.append(f" {part['Name']}:")
            if part["Name"] == "Engine":
                lines += [f"  Version:\t{part['Version']}",
                          f"  API version:\t{d['ApiVersion']} (minimum version {d['MinAPIVersion']})",
                          f"  Go version:\t{d['GoVersion']}", f"  Git commit:\t{d['GitCommit']}",
                          f"  Built:\t{d['BuildTime']}", f"  OS/Arch:\t{d['Os']}/{d['Arch']}",
                          f"  Experimental:\t{d['Experimental']}"]
            else:
                lines += [f"  Version:\t{part['Version']}", *(f"  {k}:\t{d[k]}" for k in sorted(d))]
    return "\n".join(lines)


class VersionError(ValueError):
    """A `-f` template that fails as it runs: docker prints a blank line, then this, and exits 1."""


def version(fmt: str | None, server: bool = True) -> str:
    """What `docker version [-f FMT]` prints (its last newline is prettyPrintVersion's); `server`: whether the
    daemon answered (without it the Server section is missing, and `.Server` is nil)."""
    if not fmt:
        return tabwriter(_default(server), 20, 1) + "\n"
    doc = {"Client": CLIENT, "Server": SERVER if server else None}
    try:
        out = template.inspect(fmt, [doc], "version")
    except template.TemplateError as err:  # an inspect's words, for an unnamed template: docker's is "version"
        words = str(err).strip().removeprefix("template parsing error: ")
        raise VersionError(words.replace("template: :", "template: version:", 1)
                           .replace('executing ""', 'executing "version"', 1)) from None
    return tabwriter(out.removesuffix("\n"), 20, 1) + "\n"

