"""docker/cli 20.10 opts' checks of the container's network settings (opts/opts.go, opts/hosts.go):
`--dns` (ValidateIPAddress, which keeps the address as Go's net.IP prints it), `--dns-search`
(ValidateDNSSearch) and `--host` (ValidateExtraHost), in docker's words."""
from __future__ import annotations

import ipaddress
import re

from ..model.gostrings import quote, trim_space

# opts.domainRegexp as written, `(:?` typos and all (they let a label start with ':'); Go's \s is ASCII
_DOMAIN = re.compile(r"(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))"
                     r"(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?[\t\n\f\r ]*\Z")
_HOST_GATEWAY = "host-gateway"


def go_ip(text: str) -> str | None:
    """net.ParseIP(text).String(): None when Go would not parse it (no zone, no leading zero), an
    IPv4-mapped address as its IPv4 form."""
    if "%" in text:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def validate_ip_address(text: str) -> str:
    """ValidateIPAddress: the address, surrounding blanks trimmed, as Go prints it."""
    ip = go_ip(trim_space(text))
    if ip is None:
        raise ValueError(f"{text} is not an ip address")
    return ip


def validate_dns_search(text: str) -> str:
    """ValidateDNSSearch: "." or a domain (kept without its trailing dot), of fewer than 255 characters."""
    text = text.strip(" ")
    if text == ".":
        return text
    found = _DOMAIN.match(text) if re.search("[a-zA-Z]", text) else None
    if found is None or len(found.group(1)) >= 255:
        raise ValueError(f"{text} is not a valid domain")
    return found.group(1)


def validate_extra_host(text: str) -> str:
    """ValidateExtraHost: HOST:IP (split at the first ':', so an IPv6 address needs no brackets), or
    HOST:host-gateway; kept as written."""
    host, sep, ip = text.partition(":")
    if not sep or not host:
        raise ValueError(f"bad format for add-host: {quote(text)}")
    if ip != _HOST_GATEWAY and go_ip(trim_space(ip)) is None:
        raise ValueError(f"invalid IP address in add-host: {quote(ip)}")
    return text


def swarm_host(extra_host: str) -> str:
    """convertExtraHostsToSwarmHosts: HOST:IP becomes swarmkit's hosts-file line "IP HOST"."""
    host, _, ip = extra_host.partition(":")
    return f"{ip} {host}"
