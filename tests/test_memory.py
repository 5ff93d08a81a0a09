"""The allocator tuning that keeps freed numpy buffers for reuse."""

from __future__ import annotations

import platform
import sys

from finmodel._memory import keep_freed_memory


def test_applies_once_on_linux_with_glibc():
    applied = keep_freed_memory()
    assert keep_freed_memory() is applied            # decided once per process
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert applied is glibc
