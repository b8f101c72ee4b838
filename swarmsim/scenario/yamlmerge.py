"""YAML merge keys (`<<: *defaults`), applied to composed nodes.

Stack files share settings with anchors and merge keys. The loader composes nodes to keep lines, so
it merges here, in one of two orders. A scenario follows the YAML merge spec: keys written in the
mapping win, then the merged mappings in order (the first of a `<<: [*a, *b]` list wins). A stack
file follows docker's YAML library (yaml.v2 2.2.8, decode.go `merge`), which applies each `<<` where it
stands: a key written before the `<<` is overwritten by the merged one, a key after it wins, and in a
list the first mapping still wins (it is applied last).
"""
from __future__ import annotations

from typing import Iterator

import yaml

MERGE_TAG = "tag:yaml.org,2002:merge"
SPEC_WORDS = "expected a mapping or a list of mappings to merge after <<"
V2_WORDS = "yaml: map merge requires map or sequence of maps as the value"  # yaml.v2's failWantMap


class MergeError(ValueError):
    """A `<<` whose value is not a mapping or a list of mappings; `node` is where."""

    def __init__(self, node: yaml.Node, words: str):
        super().__init__(words)
        self.node = node


def _sources(value: yaml.Node, depth: int, words: str) -> list[yaml.MappingNode]:
    sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
    for source in sources:
        if not isinstance(source, yaml.MappingNode) or depth > 50:
            raise MergeError(source, words)
    return sources


def merged_pairs(node: yaml.MappingNode, depth: int = 0,
                 memo: dict[int, list] | None = None) -> list[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) nodes of `node` with its merge keys applied as the spec says, each key once. A
    mapping merged many times is worked out once (`memo`), so `<<: [*a, *a, ...]` chains stay linear."""
    memo = {} if memo is None else memo
    if id(node) in memo:
        return memo[id(node)]
    own, merged = [], []
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            own.append((key, value))
            continue
        for source in _sources(value, depth, SPEC_WORDS):
            merged.extend(merged_pairs(source, depth + 1, memo))
    seen = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    out = []
    for key, value in merged:
        if key.value not in seen:
            seen.add(key.value)
            out.append((key, value))
    memo[id(node)] = out = out + own
    return out


def applied_pairs(node: yaml.MappingNode, depth: int = 0) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) nodes of `node` in the order yaml.v2 sets them, merges expanded in place: where a
    key comes twice, the later one is the value. Lazy, as yaml.v2 decodes: the reader's count of values
    stops a merge bomb before it is expanded."""
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            yield key, value
            continue
        for source in reversed(_sources(value, depth, V2_WORDS)):
            yield from applied_pairs(source, depth + 1)
