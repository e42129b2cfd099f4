"""What every benchmark needs: a free loopback port, and a prefix pinning a command to one core."""

import os
import shutil
import socket


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pin(core: int) -> list[str]:
    """A `taskset` prefix pinning a command to `core`, when taskset and a second core exist."""
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []
