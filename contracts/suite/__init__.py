"""A ready-made test module: ``pytest --pyargs contracts.suite --cld-base-url URL --cld-cloud ...``."""
