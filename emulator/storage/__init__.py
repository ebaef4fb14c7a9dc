"""Persistence: implementations of the backend's ports (:mod:`emulator.backend.ports`), embedded SQLite today.

Nothing here imports the backend beyond its ports, models and query records.
"""
