"""YAML merge keys (`<<: *defaults`), applied to composed nodes.

Stack files share settings with anchors and merge keys, which docker's YAML
library (go-yaml) applies. The loader composes nodes to keep lines, so it merges
here: keys written in the mapping win, then the merged mappings in order (the
first of a `<<: [*a, *b]` list wins), as the YAML merge spec says.
"""
from __future__ import annotations

import yaml

MERGE_TAG = "tag:yaml.org,2002:merge"


class MergeError(ValueError):
    """A `<<` whose value is not a mapping or a list of mappings; `node` is where."""

    def __init__(self, node: yaml.Node):
        super().__init__("expected a mapping or a list of mappings to merge after <<")
        self.node = node


def merged_pairs(node: yaml.MappingNode, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) nodes of `node` with its merge keys applied."""
    own, merged = [], []
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            own.append((key, value))
            continue
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or depth > 50:
                raise MergeError(source)
            merged.extend(merged_pairs(source, depth + 1))
    seen = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    out = []
    for key, value in merged:
        if key.value not in seen:
            seen.add(key.value)
            out.append((key, value))
    return out + own
