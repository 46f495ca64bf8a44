# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Virus scan of uploads by ClamAV's daemon (Debian clamav-daemon).

The bytes are streamed to clamd with its INSTREAM command over the unix
socket (or TCP): nothing is written to disk for the scan, and clamd needs
no access to the filestore. The protocol is a command, then chunks each
preceded by their length as a 4-byte big-endian integer, then a zero
length; clamd answers ``stream: OK``, ``stream: <signature> FOUND`` or
``<reason> ERROR``.

Configuration, section ``[laisui_upload]``:

- ``scan``: ``required`` (the default: an upload that cannot be scanned is
  refused) or ``off``;
- ``clamd_socket``: path of clamd's LocalSocket (default Debian's
  ``/run/clamav/clamd.ctl``);
- ``clamd_host`` and ``clamd_port`` (default 3310): clamd's TCPSocket,
  used instead of the unix socket when ``clamd_host`` is set;
- ``clamd_timeout``: seconds to wait for clamd (default 30).
"""
import logging
import socket
import struct

import trytond.config as config

logger = logging.getLogger(__name__)

SECTION = 'laisui_upload'
DEFAULT_SOCKET = '/run/clamav/clamd.ctl'
DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 30
CHUNK_SIZE = 64 * 1024
MAX_REPLY = 4096


_warned_off = False


class ClamdUnavailable(Exception):
    "clamd could not be reached or could not scan the data"


def scan_required():
    """Whether uploads must be scanned; anything but 'off' is 'required'
    so that a misspelt value fails closed"""
    value = (config.get(SECTION, 'scan', default='required') or '').strip()
    return value.lower() != 'off'


def client():
    "The clamd client of the configuration"
    timeout = config.getfloat(
        SECTION, 'clamd_timeout', default=DEFAULT_TIMEOUT)
    host = config.get(SECTION, 'clamd_host')
    if host:
        return Clamd(address=(host, config.getint(
                    SECTION, 'clamd_port', default=DEFAULT_PORT)),
            timeout=timeout)
    return Clamd(address=config.get(
            SECTION, 'clamd_socket', default=DEFAULT_SOCKET),
        timeout=timeout)


def scan(data):
    """The signature clamd found in data, or None when it is clean or the
    scan is off; ClamdUnavailable when it could not be scanned"""
    global _warned_off
    if not scan_required():
        if not _warned_off:
            logger.warning("virus scan of uploads is off ([%s] scan)", SECTION)
            _warned_off = True
        return None
    return client().instream(data)


class Clamd:
    "A clamd connection per command, as clamd expects"

    def __init__(self, address, timeout=DEFAULT_TIMEOUT):
        # A str is a unix socket path, a (host, port) tuple a TCP address.
        self.address = address
        self.timeout = timeout

    def __repr__(self):
        return f'Clamd({self.address!r})'

    def _connect(self):
        if isinstance(self.address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.address)
        except OSError as exception:
            sock.close()
            raise ClamdUnavailable(
                f"cannot connect to clamd at {self.address}: "
                f"{exception}") from exception
        return sock

    @staticmethod
    def _reply(sock):
        "The answer up to its NUL terminator (the 'z' commands)"
        reply = b''
        while not reply.endswith(b'\0') and len(reply) < MAX_REPLY:
            chunk = sock.recv(MAX_REPLY)
            if not chunk:
                break
            reply += chunk
        return reply.rstrip(b'\0').decode('utf-8', 'replace').strip()

    def ping(self):
        "Whether clamd answers PING"
        try:
            with self._connect() as sock:
                sock.sendall(b'zPING\0')
                return self._reply(sock) == 'PONG'
        except (ClamdUnavailable, OSError):
            return False

    def instream(self, data):
        "The signature found in data or None; ClamdUnavailable on failure"
        try:
            with self._connect() as sock:
                try:
                    sock.sendall(b'zINSTREAM\0')
                    view = memoryview(data)
                    for start in range(0, len(view), CHUNK_SIZE):
                        chunk = view[start:start + CHUNK_SIZE]
                        sock.sendall(struct.pack('!L', len(chunk)))
                        sock.sendall(chunk)
                    sock.sendall(struct.pack('!L', 0))
                except BrokenPipeError:
                    # clamd hangs up when StreamMaxLength is exceeded: its
                    # answer says why.
                    pass
                reply = self._reply(sock)
        except OSError as exception:
            raise ClamdUnavailable(
                f"clamd at {self.address} failed: {exception}") from exception
        return self._parse(reply)

    def _parse(self, reply):
        if reply == 'stream: OK':
            return None
        if reply.startswith('stream: ') and reply.endswith(' FOUND'):
            return reply[len('stream: '):-len(' FOUND')].strip() or 'unknown'
        raise ClamdUnavailable(
            f"clamd at {self.address} answered {reply[:200]!r}")
