"""Process-wide memory tuning for ``serve``: large buffers go back to the operating system when freed.

Renderings allocate image buffers of up to a hundred megabytes. With glibc's defaults, a freed buffer may stay in
one of many per-thread arenas (and the mmap threshold grows after the first large free), so the resident size only
ever grows. A fixed mmap threshold makes every large buffer its own mapping, returned on free, and fewer arenas
limit what the threads keep. Elsewhere (macOS, musl) nothing is changed.
"""

from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
MMAP_THRESHOLD = 1024 * 1024
ARENAS = 2


def tune_allocator() -> bool:
    """Whether glibc's ``mallopt`` was found and accepted the settings.

    The C library is already loaded into the interpreter: its symbols are looked up there (``CDLL(None)``)
    rather than found by ``ctypes.util.find_library``, which runs ``ldconfig`` in a subprocess.
    """
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(option, value) == 1 for option, value in (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, 4 * MMAP_THRESHOLD), (_M_ARENA_MAX, ARENAS)))
