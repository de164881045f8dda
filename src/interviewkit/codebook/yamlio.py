"""YAML helpers: the safe loader, a dumper writing one pattern per line, and key path -> line numbers."""
from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (no Python objects can be built from a codebook file)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)


class _Flow(dict):
    """A mapping dumped in YAML flow style (``{lemma: x, weight: 0.5}``)."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


def _flowify(obj: Any, parent: str = "", in_list: bool = False) -> Any:
    """Mark pattern entries and derive conditions for YAML flow style (one pattern per line)."""
    if isinstance(obj, dict):
        inner = {k: _flowify(v, str(k)) for k, v in obj.items()}
        if parent in ("when", "set", "add", "fields_entry") or (in_list and "when" not in obj and "path" not in obj):
            return _Flow(inner)
        return inner
    if isinstance(obj, list):
        return [_flowify(v, parent, True) for v in obj]
    return obj


def _line_index(text: str) -> dict[str, int]:
    """Map key paths (``labels.channel.sms.patterns.fr[3]``) to 1-based line numbers."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return lines

    def walk(node: Any, path: str) -> None:
        if node is None:
            return
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                key = str(knode.value)
                sub = f"{path}.{key}" if path else key
                lines[sub] = knode.start_mark.line + 1
                walk(vnode, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = f"{path}[{i}]"
                lines[sub] = item.start_mark.line + 1
                walk(item, sub)

    walk(root, "")
    return lines
