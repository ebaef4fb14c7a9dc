"""The emulator's own machinery for tests: clock, journal, faults, registered categories, async work, webhooks.

Its state lives in a small SQLite database beside the library's, so every worker process sees the same
clock, journal and fault rules. No Flask imports here; ``emulator.api.control`` is the HTTP face.
"""
