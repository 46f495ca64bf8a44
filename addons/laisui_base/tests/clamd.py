# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A real clamd (Debian clamav-daemon) for the tests.

This machine cannot download ClamAV's signatures, so the daemon gets a
database of one signature written here: the EICAR test file, as an
extended (.ndb) body signature that matches it anywhere in any file. One
daemon serves the whole test process, on a unix socket in a temporary
folder; it is stopped when the process ends (and killed by the kernel if
the process dies first). clamd is required, never skipped: scripts/lib.sh
and .ci/run install clamav-daemon.
"""
import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time

import trytond.config as config
from trytond.modules.laisui_base.scan import SECTION, Clamd

# Built from two halves so that this file is not itself the test virus.
EICAR = (rb'X5O!P%@AP[4\PZX54(P^)7CC)7}$'
    rb'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')
SIGNATURE = 'Laisui.Test.EICAR'
START_TIMEOUT = 60

_daemon = None


def _clamd_binary():
    for candidate in [shutil.which('clamd'), '/usr/sbin/clamd']:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "clamd not found: install Debian's clamav-daemon "
        "(scripts/lib.sh ensure_system_packages does)")


def _die_with_parent():
    # PR_SET_PDEATHSIG: no clamd outlives a killed test run.
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Daemon:
    "clamd on a temporary socket with the EICAR signature only"

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix='laisui-clamd-')
        self.socket = os.path.join(self.folder, 'clamd.sock')
        self.log = os.path.join(self.folder, 'clamd.log')
        database = os.path.join(self.folder, 'db')
        os.mkdir(database)
        with open(os.path.join(database, 'laisui-test.ndb'), 'w') as file:
            # Name:TargetType(0 any file):Offset(* anywhere):HexSignature
            file.write(f'{SIGNATURE}:0:*:{EICAR.hex()}\n')
        conf = os.path.join(self.folder, 'clamd.conf')
        with open(conf, 'w') as file:
            file.write('\n'.join([
                        f'LocalSocket {self.socket}',
                        f'DatabaseDirectory {database}',
                        f'TemporaryDirectory {self.folder}',
                        f'LogFile {self.log}',
                        'Foreground yes',
                        'Bytecode no',
                        'MaxThreads 2',
                        'StreamMaxLength 25M',
                        '']))
        self.process = subprocess.Popen(
            [_clamd_binary(), '--config-file', conf],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self._wait()

    def _wait(self):
        client = Clamd(self.socket, timeout=5)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(self.socket) and client.ping():
                return
            time.sleep(0.1)
        log = ''
        if os.path.exists(self.log):
            with open(self.log, errors='replace') as file:
                log = file.read()[-2000:]
        self.stop()
        raise RuntimeError(f"clamd did not start:\n{log}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def daemon():
    "The test process's clamd, started on first use"
    global _daemon
    if _daemon is None or _daemon.process.poll() is not None:
        _daemon = Daemon()
        atexit.register(_daemon.stop)
    return _daemon


def set_upload_config(**values):
    """Set [laisui_upload] options; return a function restoring them"""
    if not config.has_section(SECTION):
        config.add_section(SECTION)
    previous = {}
    for option, value in values.items():
        previous[option] = config.get(SECTION, option)
        config.set(SECTION, option, str(value))

    def restore():
        for option, value in previous.items():
            if value is None:
                config._config.remove_option(SECTION, option)
            else:
                config.set(SECTION, option, value)
        config._cache_clear()
    return restore


@contextlib.contextmanager
def upload_config(**values):
    "[laisui_upload] options set for the duration of the block"
    restore = set_upload_config(**values)
    try:
        yield
    finally:
        restore()


class ClamdMixin:
    """Uploads of the test class are scanned (scan = required) by the
    test clamd"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clamd = daemon()
        cls.addClassCleanup(set_upload_config(
                scan='required', clamd_socket=cls.clamd.socket))
