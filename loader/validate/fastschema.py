"""Validate stage, the schema's fast path: a yes/no check compiled once from the JSON Schema.

Most frontmatter is valid, and for valid input jsonschema only confirms what a few type and
length checks already know, at the price of importing it (~60 ms) and walking the schema with
``$ref`` resolution for every skill (~0.3 ms each). :func:`compile_check` turns the schema
into nested closures that answer "valid?" exactly, for the subset of draft 2020-12 keywords
the shipped schema uses; ``schema.check_frontmatter`` asks jsonschema for the detailed errors
only when this says no. Soundness over coverage: a keyword outside the subset makes
:func:`compile_check` return ``None`` (so every skill goes to jsonschema), and the checks
follow jsonschema's own semantics (types by ``isinstance`` as its type checker does, lengths
in code points, ``pattern`` with ``re.search``). ``tests/validate/test_fastschema.py``
compares both on valid and invalid frontmatter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples",
                          "deprecated", "readOnly", "writeOnly"})
_SUPPORTED = frozenset({"$ref", "type", "minLength", "maxLength", "pattern", "enum", "oneOf", "items", "properties",
                        "additionalProperties", "required", "unevaluatedProperties"}) | _ANNOTATIONS
_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
"""The JSON types the subset knows, tested as jsonschema's default type checker tests them."""


class _Unsupported(Exception):
    """The schema uses something the fast path does not model exactly."""


def compile_check(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> Check | None:
    """A function telling exactly whether an instance is valid against ``schema``, or ``None``.

    Args:
        schema: the schema to check against (a dict, as loaded from JSON).
        root: the document ``#/$defs/...`` references resolve in (default: ``schema``).

    Returns:
        ``None`` when the schema uses a keyword or form outside the supported subset.
    """
    try:
        return _Compiler(root if root is not None else schema).compile(schema)
    except _Unsupported:
        return None


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._defs: Mapping[str, Any] = root.get("$defs", {})
        self._done: dict[str, Check] = {}

    def resolve(self, ref: str) -> Mapping[str, Any]:
        match = re.fullmatch(r"#/\$defs/([A-Za-z0-9_.-]+)", ref)
        if match is None or match.group(1) not in self._defs:
            raise _Unsupported(ref)
        target: Mapping[str, Any] = self._defs[match.group(1)]
        return target

    def ref(self, ref: str) -> Check:
        if ref not in self._done:
            self._done[ref] = lambda v: False  # a cycle would recurse forever; reject it below
            self._done[ref] = self.compile(self.resolve(ref))
        return self._done[ref]

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda v: True
        if not isinstance(schema, Mapping) or set(schema) - _SUPPORTED:
            raise _Unsupported(str(schema))
        checks = [self._keyword(key, value, schema) for key, value in schema.items() if key not in _ANNOTATIONS]
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _keyword(self, key: str, value: Any, schema: Mapping[str, Any]) -> Check:
        if key == "$ref":
            return self.ref(value)
        if key == "type":
            names = [value] if isinstance(value, str) else list(value)
            if any(name not in _TYPES for name in names):
                raise _Unsupported(f"type {value!r}")
            tests = [_TYPES[name] for name in names]
            return lambda v: any(test(v) for test in tests)
        if key in ("minLength", "maxLength"):
            limit = int(value)
            if key == "minLength":
                return lambda v: not isinstance(v, str) or len(v) >= limit
            return lambda v: not isinstance(v, str) or len(v) <= limit
        if key == "pattern":
            regex = re.compile(value)
            return lambda v: not isinstance(v, str) or regex.search(v) is not None
        if key == "enum":
            if not all(isinstance(item, str) for item in value):
                raise _Unsupported("enum of non-strings")  # jsonschema's equality of 1, 1.0 and True differs
            allowed = frozenset(value)
            return lambda v: isinstance(v, str) and v in allowed
        if key == "oneOf":
            options = [self.compile(option) for option in value]
            return lambda v: sum(1 for option in options if option(v)) == 1
        if key == "items":
            item = self.compile(value)
            return lambda v: not isinstance(v, list) or all(item(x) for x in v)
        if key == "required":
            required = tuple(value)
            return lambda v: not isinstance(v, dict) or all(name in v for name in required)
        if key == "properties":
            props = {name: self.compile(sub) for name, sub in value.items()}
            return lambda v: not isinstance(v, dict) or all(props[k](x) for k, x in v.items() if k in props)
        if key == "additionalProperties":
            extra = self.compile(value)
            known = frozenset(schema.get("properties", {}))
            return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
        if key == "unevaluatedProperties":
            return self._unevaluated(value, schema)
        raise _Unsupported(key)

    def _unevaluated(self, value: Any, schema: Mapping[str, Any]) -> Check:
        # Exact only where the evaluated names are static: this schema's `properties` plus those of
        # a `$ref` to a schema with nothing but `properties` and annotations (as ours are). Any
        # other applicator could evaluate names dynamically, so it is left to jsonschema.
        if value is not False or "additionalProperties" in schema:
            raise _Unsupported("unevaluatedProperties")
        known = set(schema.get("properties", {}))
        if "$ref" in schema:
            target = self.resolve(schema["$ref"])
            if set(target) - {"type", "properties"} - _ANNOTATIONS:
                raise _Unsupported("unevaluatedProperties through $ref")
            known |= set(target.get("properties", {}))
        names = frozenset(known)
        return lambda v: not isinstance(v, dict) or all(k in names for k in v)
