"""HTTPS on the emulator's own port, with a certificate made at start by a local CA (``trustme``).

The real service answers ``secure_url`` over https; with TLS on, the emulator's ``https://host:port/...`` URLs
resolve too. One port speaks both: a connection whose first byte opens a TLS handshake is wrapped, any other is
plain HTTP, so ``url`` and ``secure_url`` of the same answer both work. Clients trust the CA certificate written to
``ca_file`` (``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``, ``NODE_EXTRA_CA_CERTS``) or skip verification in tests.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

TLS_HANDSHAKE = 0x16  # the first byte of every TLS record that opens a handshake (ClientHello)
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")
PEEK_TIMEOUT = 10.0  # seconds a connection may stay silent before its first byte


@dataclass(frozen=True)
class LocalTLS:
    context: ssl.SSLContext
    ca_file: Path  # the CA certificate (PEM) that signed the server's certificate


def local_tls(ca_file: Path, host: str = "127.0.0.1") -> LocalTLS:
    """A fresh CA, a server certificate for the local names (and ``host``), the CA written to ``ca_file``."""
    import trustme

    ca = trustme.CA(organization_name="cloudinary-emulator local CA")
    names = [*LOCAL_NAMES, *([host] if host not in LOCAL_NAMES and not _wildcard(host) else [])]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    ca_file.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(ca_file))
    return LocalTLS(context, ca_file)


def _wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def accept(connection: socket.socket, context: ssl.SSLContext) -> socket.socket | None:
    """The connection as the client speaks it: TLS-wrapped when it opens with a handshake, else as is.

    ``None`` when the client went away or the handshake failed (the connection is closed).
    """
    try:
        connection.settimeout(PEEK_TIMEOUT)
        first = connection.recv(1, socket.MSG_PEEK)
        if first and first[0] == TLS_HANDSHAKE:
            connection = context.wrap_socket(connection, server_side=True)
        connection.settimeout(None)
        return connection
    except OSError:  # ssl.SSLError included: a client that does not trust the CA hangs up here
        connection.close()
        return None
