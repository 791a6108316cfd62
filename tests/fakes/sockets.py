"""Finding client sockets left open to a loopback fake, where the leak happens.

An SDK client that is never closed sits in a reference cycle (the client and its resources
point at each other), so its sockets close only when the garbage collector runs: at a random
later moment, in a random order, where an "unclosed socket" ResourceWarning fails whichever
test is running. Counting the sockets still open with the collector paused finds the leak
every time, in the test that made it.

    with garbage_kept():
        run_something_against(fake)
        assert client_sockets_to(fake.base_url) == []
"""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


@contextmanager
def garbage_kept() -> Iterator[None]:
    """Pause the cyclic garbage collector: what was not closed stays open to be seen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def client_sockets_to(base_url: str) -> list[socket.socket]:
    """The open sockets of this process connected to the server at `base_url`."""
    url = urlsplit(base_url)
    server = (url.hostname, url.port)
    found = []
    for obj in gc.get_objects():
        if type(obj) is not socket.socket or obj.fileno() == -1:
            continue
        try:
            peer = obj.getpeername()
        except OSError:  # listening or not connected
            continue
        if peer[:2] == server:
            found.append(obj)
    return found
