"""The contract kit: JSON Schemas and Hypothesis properties that tell whether an implementation of
Cloudinary's Upload/Admin API with the Imagga add-on answers conformingly.

It never imports :mod:`emulator` (except lazily, in :mod:`contracts.local`, to start one when no base URL
is given): the kit checks any implementation, the real service included.
"""

from __future__ import annotations

__version__ = "0.1.0"
