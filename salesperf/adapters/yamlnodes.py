"""Load YAML keeping the line of every value, and refuse duplicate keys.

PyYAML's ``compose`` gives a node tree whose nodes carry ``start_mark.line`` (0-based); this turns
it into plain dicts, lists and strings that remember their line (1-based), so a mapping error can
name the file and the line a user has to edit. PyYAML itself keeps the last of two equal keys
silently; here a duplicate key is an error.
"""

from __future__ import annotations

from pathlib import Path

import yaml


class MappingError(ValueError):
    """An error in a mapping file, with the file and line it is about."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


class LDict(dict):
    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0


class LStr(str):
    line: int = 0


def line_of(value, default: int = 0) -> int:
    return getattr(value, "line", default) or default


def _scalar(node: yaml.ScalarNode, path: Path):
    # Resolve the scalar with PyYAML's own rules (ints, floats, bools, null), keep strings as LStr.
    if node.tag.endswith(":str"):
        out = LStr(node.value)
        out.line = node.start_mark.line + 1
        return out
    loader = yaml.SafeLoader("")
    try:
        resolved = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    if isinstance(resolved, str):
        out = LStr(resolved)
        out.line = node.start_mark.line + 1
        return out
    return resolved


def _convert(node: yaml.Node, path: Path):
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path)
            key = str(key) if not isinstance(key, str) else key
            line = key_node.start_mark.line + 1
            if key in out:
                raise MappingError(
                    path, line, f"duplicate mapping: {key!r} is already given on line {out.key_lines[key]}"
                )
            out[LStr(key)] = _convert(value_node, path)
            out.key_lines[key] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        out = LList(_convert(n, path) for n in node.value)
        out.line = node.start_mark.line + 1
        return out
    return _scalar(node, path)


def load(path: Path | str):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(path, None, f"cannot read the mapping file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise MappingError(path, None, "the mapping file is not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise MappingError(path, line, f"not valid YAML: {problem}") from None
    if node is None:
        raise MappingError(path, 1, "the mapping file is empty")
    return _convert(node, path)
