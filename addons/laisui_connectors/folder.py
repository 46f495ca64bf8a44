# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Files departments drop in a folder, picked up by a cron.

    [laisui_connectors]
    drop_folder = /srv/laisui/drop

Each dataset has its sub-folder named by its code
(`<drop_folder>/housing_property/*.xlsx`). A file is launched as a run and
left in place; the next pass finds its run by SHA-256 and moves it to
`processed/` (run queued or done) or `failed/` (run failed: the error is on
the run, which keeps a copy of the file for a retry). Moving only files
whose run is committed means a crash at any point loses no file and loads
none twice. Senders write `*.part` (or dot-files) and rename when done.
"""
import logging
import os
from pathlib import Path

from trytond import config
from trytond.i18n import gettext
from trytond.modules.laisui_base import clock
from trytond.pool import Pool

logger = logging.getLogger(__name__)

SUFFIXES = {'.csv', '.txt', '.xlsx', '.xls'}
# A department file is a table export; anything larger is refused unread.
MAX_FILE_SIZE = 200 * 1024 * 1024


def drop_folder():
    path = config.get('laisui_connectors', 'drop_folder', default=None)
    return Path(path) if path else None


def pick_up(root=None):
    "Launch a run for each new file; file away those already run"
    pool = Pool()
    Dataset = pool.get('laisui.connector.dataset')
    Run = pool.get('laisui.connector.run')
    root = root or drop_folder()
    if not root or not root.is_dir():
        return []
    launched = []
    for dataset in Dataset.search([('source.kind', '=', 'file')]):
        folder = root / dataset.code
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir(), key=_mtime):
            if not _is_candidate(path):
                continue
            size = path.stat().st_size
            if size > MAX_FILE_SIZE:
                Run.create([{
                            'dataset': dataset.id, 'origin': 'folder',
                            'filename': path.name, 'state': 'failed',
                            'finished': clock.now(),
                            'error': gettext(
                                'laisui_connectors.msg_file_too_large',
                                size=size // (1024 * 1024),
                                limit=MAX_FILE_SIZE // (1024 * 1024)),
                            }])
                _move(path, 'failed')
                continue
            data = path.read_bytes()
            previous = Run.loaded(dataset, data)
            if previous:
                _move(path, 'failed' if previous.state == 'failed'
                    else 'processed')
                continue
            launched.extend(Run.launch([dataset], 'folder', data=data,
                    filename=path.name))
    return launched


def _mtime(path):
    return path.stat().st_mtime


def _is_candidate(path):
    return (path.is_file() and not path.name.startswith('.')
        and path.suffix.lower() in SUFFIXES)


def _move(path, where):
    target = path.parent / where
    target.mkdir(exist_ok=True)
    stamp = clock.now().strftime('%Y%m%d%H%M%S')
    destination = target / f'{stamp}-{path.name}'
    os.replace(path, destination)
    logger.info("%s moved to %s", path, destination)
