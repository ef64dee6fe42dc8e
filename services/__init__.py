"""Use cases, one public function each, grouped by domain topic; the services commit.

Packages: workflow (the runtime the stages plug into), directory, imports, draw, designer,
stages, supervision. Which stage function handles which form key, operation and timer kind is
one table, services/handlers.py, installed by the app factory.
"""
