"""Directories (三库) and the catalogue (监管事项清单, 一业一册一单): one blueprint, /directory."""
from web.directory.routes import bp
from web.directory import catalogue, people, uploads  # noqa: F401 - they register their routes on bp

__all__ = ["bp"]
