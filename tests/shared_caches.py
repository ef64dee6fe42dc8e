"""Work every test's fresh app repeats, done once per test process.

Every test builds its own app (tests/conftest.py `app`), and each new app recompiled the same things:
werkzeug's two URL builders per route (ast + compile(), ~220 routes: most of create_app's time) and
every Jinja template a test renders (a new environment has an empty cache). Both results depend only on
their sources — a rule's text, trace and defaults; a template's source, checked by its checksum — so one
compilation serves every app of the process; each app still binds its own Rule and renders with its own
environment, filters and globals.

Only tests install this (a production process builds its app once).
"""
from flask import Flask
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

_builders: dict = {}


def _builder_key(rule: Rule, append_unknown: bool) -> tuple:
    return (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)


def _share_url_builders() -> None:
    original = Rule._compile_builder
    if getattr(original, "shared", False):
        return

    def compile_builder(self, append_unknown: bool = True):
        key = _builder_key(self, append_unknown)
        if key not in _builders:
            _builders[key] = original(self, append_unknown)
        return _builders[key]

    compile_builder.shared = True
    Rule._compile_builder = compile_builder


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache in a dict; the bucket drops an entry whose source checksum changed."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def install() -> None:
    _share_url_builders()
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
