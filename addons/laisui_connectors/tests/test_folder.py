# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Files picked up from the drop folder."""
import tempfile
from pathlib import Path
from unittest.mock import patch

from trytond.pool import Pool
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase
from trytond.tests.test_tryton import with_transaction

from .. import folder
from .tools import property_rows, records, to_csv

CODE = 'housing_property'


class FolderTestCase(ActivatedTestCase):
    "Drop folder"
    modules = ['laisui_connectors']

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.root = Path(tmp.name)
        self.folder = self.root / CODE
        self.folder.mkdir()

    def pick_up(self):
        "One cron pass, then what the queue would do after commit"
        Run = Pool().get('laisui.connector.run')
        runs = folder.pick_up(self.root)
        for run in runs:
            Run.process(run)
        return Run.browse(runs)

    def names(self, where=''):
        path = self.folder / where if where else self.folder
        return sorted(p.name.split('-', 1)[-1] if where else p.name
            for p in path.iterdir() if p.is_file())

    @with_transaction()
    def test_files_loaded_then_filed_away(self):
        "Good file loaded and moved; broken file failed; partial ignored"
        (self.folder / 'good.csv').write_bytes(to_csv(property_rows(30)))
        (self.folder / 'broken.xlsx').write_bytes(b'PK\x03\x04 not a zip')
        (self.folder / 'coming.csv.part').write_bytes(b'half')
        (self.folder / 'notes.doc').write_bytes(b'ignored')

        runs = self.pick_up()
        self.assertEqual(sorted((r.filename, r.origin, r.state)
                for r in runs),
            [('broken.xlsx', 'folder', 'failed'),
                ('good.csv', 'folder', 'done')])
        self.assertIn('已损坏', [r for r in runs
                if r.state == 'failed'][0].error)
        self.assertEqual(len(records(CODE)), 30)
        # Still in place until their runs are committed and seen.
        self.assertIn('good.csv', self.names())

        self.assertEqual(self.pick_up(), [])
        self.assertEqual(self.names(),
            ['coming.csv.part', 'notes.doc'])
        self.assertEqual(self.names('processed'), ['good.csv'])
        self.assertEqual(self.names('failed'), ['broken.xlsx'])

        # The same file dropped again is filed away, not loaded twice.
        (self.folder / 'again.csv').write_bytes(to_csv(property_rows(30)))
        self.assertEqual(self.pick_up(), [])
        self.assertEqual(self.names('processed'), ['again.csv', 'good.csv'])
        self.assertEqual(len(records(CODE)), 30)

    @with_transaction()
    def test_too_large_refused_unread(self):
        "A file over the size limit fails with the reason, unread"
        Run = Pool().get('laisui.connector.run')
        (self.folder / 'huge.csv').write_bytes(to_csv(property_rows(50)))
        with patch.object(folder, 'MAX_FILE_SIZE', 1024):
            self.assertEqual(self.pick_up(), [])
        run, = Run.search([('filename', '=', 'huge.csv')])
        self.assertEqual((run.state, run.origin, run.data), (
                'failed', 'folder', None))
        self.assertIn('不予读取', run.error)
        self.assertEqual(self.names('failed'), ['huge.csv'])
        self.assertEqual(records(CODE), [])
