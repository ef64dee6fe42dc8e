"""Work every test's fresh app repeats, done once per test process.

Every test builds its own app (tests/conftest.py `app`), and each new app recompiled the same things:
werkzeug's parse of each rule's text and two URL builders per route (ast + compile(), ~220 routes: most of
create_app's time), every
Jinja template a test renders (a new environment has an empty cache) and every SQL statement it runs (a
new engine has an empty compiled-statement cache). The results depend only on their sources — a rule's
text and converter classes, its trace and defaults; a template's source, checked by its checksum; a statement and a dialect
configured alike — so one compilation serves every app of the process; each app still binds its own
Rule, renders with its own environment and connects through its own engine and pool.

Only tests install this (a production process builds its app once).
"""
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.util import LRUCache
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


_parsed_rules: dict = {}


def _share_rule_parsing() -> None:
    """Rule._parse_rule (a regex walk over the rule's text: two thirds of what was left of create_app) yields the
    same parts for the same text and converter classes. Its side effects are replayed on each Rule: the trace,
    the rule's arguments, and converters built anew for the rule's own map (the same calls the parse made)."""
    original = Rule._parse_rule
    if getattr(original, "shared", False):
        return

    def parse_rule(self, rule: str):
        key = (rule, tuple(self.map.converters.items()))
        if key not in _parsed_rules:
            _parsed_rules[key] = _parse_recording(self, rule, original)
            return list(_parsed_rules[key][0])
        parts, trace, converters = _parsed_rules[key]
        self._trace.extend(trace)
        for variable, name, args, kwargs in converters:
            self._converters[variable] = self.get_converter(variable, name, args, kwargs)
            self.arguments.add(variable)
        return list(parts)

    parse_rule.shared = True
    Rule._parse_rule = parse_rule


def _parse_recording(rule_object: Rule, rule: str, original) -> tuple[tuple, list, list]:
    """The original parse, noting the trace it appends and the converters it asks its rule for."""
    converters = []
    get_converter = rule_object.get_converter

    def recording(variable, name, args, kwargs):
        converters.append((variable, name, args, kwargs))
        return get_converter(variable, name, args, kwargs)

    start = len(rule_object._trace)
    rule_object.get_converter = recording  # an attribute of this one Rule, removed below
    try:
        parts = tuple(original(rule_object, rule))
    finally:
        del rule_object.get_converter
    return parts, rule_object._trace[start:], converters


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache in a dict; the bucket drops an entry whose source checksum changed."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class InterchangeableSQLite(SQLiteDialect_pysqlite):
    """SQLite dialects that compile alike compare equal, so their engines can share compiled statements
    (SQLAlchemy keys its cache on the dialect). What shapes the SQL is in the signature."""

    supports_statement_cache = True

    def _signature(self) -> tuple:
        return (self.paramstyle, self.label_length, self.max_identifier_length, self.native_datetime,
                self._json_serializer, self._json_deserializer, self.supports_native_boolean, self.server_version_info)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._signature() == self._signature()

    def __hash__(self) -> int:
        return hash(self._signature())


_statements = LRUCache(5000)


def _share_compiled_statements() -> None:
    original = SQLAlchemy._make_engine
    if getattr(original, "shared", False):
        return

    def make_engine(self, bind_key, options, app):
        engine = original(self, bind_key, options, app)
        if type(engine.dialect) is SQLiteDialect_pysqlite:
            engine.dialect.__class__ = InterchangeableSQLite
            engine._compiled_cache = _statements
        return engine

    make_engine.shared = True
    SQLAlchemy._make_engine = make_engine


def install() -> None:
    _share_rule_parsing()
    _share_url_builders()
    _share_compiled_statements()
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
