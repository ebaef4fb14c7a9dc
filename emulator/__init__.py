"""cloudinary-emulator: Cloudinary's Upload/Admin API and the Imagga add-on, served locally.

Nothing happens at import time; build an app with :func:`emulator.app.create_app`.
"""

__version__ = "0.1.0"
