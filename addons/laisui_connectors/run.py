# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
import io
import logging

from sql import For

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.spreadsheet import CSVWriter
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .clean import AddressIndex, CleanError
from .exceptions import DuplicateFileError, FileFormatError
from .feed import feed
from .http_adapter import HttpAdapter
from .pipeline import Load, Pipeline, masked
from .reader import open_table

logger = logging.getLogger(__name__)

ORIGINS = [
    ('http', "HTTP Sync"),
    ('upload', "Uploaded File"),
    ('folder', "Drop Folder"),
    ('lookup', "Look-up of One Applicant"),
    ]
STATES = [
    ('queued', "Queued"),
    ('done', "Done"),
    ('failed', "Failed"),
    ]
# A queued run older than this has lost its worker (killed, restarted):
# the cron runs it again. Longer than the queue's usual delay.
STALLED_AFTER = dt.timedelta(minutes=15)
COUNTS = ['rows_read', 'rejected', 'duplicates', 'inserted', 'updated',
    'unchanged', 'removed', 'linked']


class Run(ModelSQL, ModelView):
    """Run of the ETL pipeline (同步批次)

    One transaction loads everything or nothing; the dataset's cursor
    moves with it. A run that fails is written down in a new transaction
    after the rollback.
    """
    __name__ = 'laisui.connector.run'

    dataset = fields.Many2One('laisui.connector.dataset', "Dataset",
        required=True, readonly=True, ondelete='CASCADE')
    origin = fields.Selection(ORIGINS, "Origin", required=True,
        readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    applicant = fields.Many2One('laisui.applicant', "Applicant",
        readonly=True, ondelete='CASCADE',
        states={'invisible': Eval('origin') != 'lookup'},
        help="The person a look-up run asked the source about.")
    data = fields.Binary("File", file_id='file_id', filename='filename',
        readonly=True)
    file_id = fields.Char("File ID", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    encoding = fields.Char("Encoding", readonly=True)
    cursor_from = fields.Char("Cursor From", readonly=True)
    cursor_to = fields.Char("Cursor To", readonly=True)
    started = fields.Timestamp("Started", readonly=True)
    finished = fields.Timestamp("Finished", readonly=True)
    error = fields.Text("Error", readonly=True)
    rejects = fields.One2Many('laisui.connector.run.reject', 'run',
        "Rejected Rows", readonly=True)
    # Counts
    rows_read = fields.Integer("Rows Read", readonly=True)
    rejected = fields.Integer("Rejected", readonly=True)
    duplicates = fields.Integer("Duplicates", readonly=True)
    inserted = fields.Integer("Inserted", readonly=True)
    updated = fields.Integer("Updated", readonly=True)
    unchanged = fields.Integer("Unchanged", readonly=True)
    removed = fields.Integer("Removed", readonly=True)
    linked = fields.Integer("Linked", readonly=True)
    facts_changed = fields.Integer("Facts Changed", readonly=True,
        help="Applicant facts or residence permits created, updated or "
        "deleted from the records.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.dataset, Index.Equality()),
                    (t.sha256, Index.Equality())),
                })
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'failed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'queued'

    def get_rec_name(self, name):
        return f'{self.dataset.code} #{self.id}'

    @classmethod
    def launch(cls, datasets, origin, data=None, filename=None,
            applicant=None):
        """Queue a run of each dataset; the task queue processes them after
        commit (or at once, in the same process, when no worker runs)."""
        vlist = []
        for dataset in datasets:
            values = {'dataset': dataset.id, 'origin': origin,
                'cursor_from': dataset.cursor,
                'applicant': applicant.id if applicant else None}
            if data is not None:
                values.update(cls._file_values(dataset, data))
                values['filename'] = filename
            vlist.append(values)
        runs = cls.create(vlist)
        for run in runs:
            cls.__queue__.process(run)
        return runs

    @classmethod
    def loaded(cls, dataset, data, states=None):
        "The latest run of dataset with this very file, or None"
        domain = [
            ('dataset', '=', dataset.id),
            ('sha256', '=', hashlib.sha256(data).hexdigest()),
            ]
        if states:
            domain.append(('state', 'in', states))
        runs = cls.search(domain, order=[('id', 'DESC')], limit=1)
        return runs[0] if runs else None

    @classmethod
    def _file_values(cls, dataset, data):
        # A failed run does not count: its file may be loaded again.
        loaded = cls.loaded(dataset, data, states=['queued', 'done'])
        if loaded:
            raise DuplicateFileError(gettext(
                    'laisui_connectors.msg_file_already_loaded',
                    run=loaded.id,
                    date=clock.to_local(loaded.create_date).strftime(
                        '%Y-%m-%d %H:%M')))
        return {'data': data, 'sha256': hashlib.sha256(data).hexdigest()}

    @classmethod
    def pick_up_files(cls):
        "Launch the files dropped in the drop folder (cron)"
        from .folder import pick_up
        pick_up()

    @classmethod
    def process(cls, run):
        """Run the pipeline; on failure roll back and record why.

        The reasons and errors it keeps are read by every office, and the
        queue runs it with the context of whoever launched it: it writes
        them in the database's language."""
        Configuration = Pool().get('ir.configuration')
        with Transaction().set_context(
                language=Configuration.get_language()):
            cls._process_queued(run)

    @classmethod
    def _process_queued(cls, run):
        transaction = Transaction()
        if not cls._lock_queued(int(run)):
            return
        run = cls(int(run))
        cursor = transaction.connection.cursor()
        # A savepoint rather than the transaction: the run itself may have
        # been created in this transaction (a file loaded at once).
        cursor.execute('SAVEPOINT laisui_run')
        try:
            with transaction.set_context(_check_access=False):
                cls._process(run)
        except Exception as e:
            message = e.message if isinstance(e, UserError) else (
                gettext('laisui_connectors.msg_run_failed',
                    error=type(e).__name__))
            if not isinstance(e, UserError):
                logger.exception("run %s failed", run.id)
            cursor.execute('ROLLBACK TO SAVEPOINT laisui_run')
            cursor.execute('RELEASE SAVEPOINT laisui_run')
            for cache in transaction.cache.values():
                cache.clear()
            run = cls(run.id)
            cls.write([run], {
                    'state': 'failed',
                    'error': message,
                    'started': run.started or clock.now(),
                    'finished': clock.now(),
                    })
            return
        cursor.execute('RELEASE SAVEPOINT laisui_run')

    @classmethod
    def _lock_queued(cls, run_id):
        """Lock the run for this transaction; False when it is not queued
        or another worker holds it (it is being processed)."""
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        if backend.name == 'sqlite':
            # One writer at a time: taking the write lock is the row lock.
            cursor.execute(*table.update([table.id], [table.id],
                    where=table.id == run_id))
        else:
            cursor.execute('SAVEPOINT laisui_run_lock')
            try:
                cursor.execute(*table.select(table.id,
                        where=table.id == run_id,
                        for_=For('UPDATE', nowait=True)))
            except backend.DatabaseOperationalError:
                # Locked by a live worker, or changed since our snapshot
                cursor.execute('ROLLBACK TO SAVEPOINT laisui_run_lock')
                return False
            finally:
                cursor.execute('RELEASE SAVEPOINT laisui_run_lock')
        cursor.execute(*table.select(table.state, where=table.id == run_id))
        row = cursor.fetchone()
        return bool(row) and row[0] == 'queued'

    @classmethod
    def resume_stalled(cls, older_than=STALLED_AFTER):
        """Process the runs still queued long after they were made (cron):
        their worker was killed, so their transaction rolled back whole
        and they start again from the committed cursor."""
        runs = cls.search([
                ('state', '=', 'queued'),
                ('create_date', '<=', clock.now() - older_than),
                ], order=[('id', 'ASC')])
        for run in runs:
            logger.warning("resuming stalled run %s", run.id)
            cls.process(run.id)

    @classmethod
    def _process(cls, run):
        pool = Pool()
        Record = pool.get('laisui.connector.record')
        Reject = pool.get('laisui.connector.run.reject')
        Dataset = pool.get('laisui.connector.dataset')
        dataset = run.dataset
        run.started = clock.now()
        pipeline = Pipeline(dataset, cls._address_index())
        cursor_to = None
        with Load(dataset.id, run.id, Record._table) as load:
            if run.origin == 'http':
                adapter = HttpAdapter(dataset.source)
                rows, state = adapter.pages(dataset, run.cursor_from,
                    limit=dataset.max_rows)
                cls._stage(pipeline, load, rows)
                cursor_to = state.cursor
            elif run.origin == 'lookup':
                adapter = HttpAdapter(dataset.source)
                records = adapter.lookup(dataset, run.applicant.id_number)
                cls._stage(pipeline, load, enumerate(records, 1))
            else:
                table = open_table(bytes(run.data or b''), dataset.max_rows)
                run.encoding = table.encoding
                pipeline.bind_headers(table.headers)
                cls._stage(pipeline, load, table.rows)
                if not load.read:
                    raise FileFormatError(gettext(
                            'laisui_connectors.msg_file_empty'))
            rejects = load.finish(full_refresh=dataset.mode == 'full'
                and run.origin == 'http')
        Reject.create_many(run, rejects)
        for name in COUNTS:
            setattr(run, name, load.counts[name])
        run.state = 'done'
        run.finished = clock.now()
        if run.origin == 'http':
            run.cursor_to = cursor_to
            Dataset.write([dataset], {'cursor': cursor_to})
        run.save()
        cls._after_load(run)
        if run.origin == 'http' and state.more:
            # A long first sync goes in runs of max_rows, each committed.
            cls.launch([Dataset(dataset.id)], 'http')

    @classmethod
    def _stage(cls, pipeline, load, rows):
        for number, row in rows:
            try:
                values = pipeline.clean(row)
            except CleanError as e:
                load.reject(number, str(e), masked(row))
                continue
            load.add(number, values, pipeline.key(values))

    @classmethod
    def _after_load(cls, run):
        "What follows a load: the applicants' external facts"
        # A look-up loaded one person's records: only theirs can change.
        run.facts_changed = feed(run.dataset, applicant=run.applicant)
        run.save()

    @classmethod
    def _address_index(cls):
        pool = Pool()
        District = pool.get('laisui.district')
        Street = pool.get('laisui.street')
        return AddressIndex(
            [(d.id, d.name) for d in District.search([])],
            [(s.id, s.name, s.district.id) for s in Street.search([])])

    @classmethod
    @ModelView.button
    def retry(cls, runs):
        for run in runs:
            cls.launch([run.dataset], run.origin,
                data=bytes(run.data) if run.data else None,
                filename=run.filename, applicant=run.applicant)

    def rejects_csv(self):
        "The rejected rows as a CSV for download (UTF-8 with BOM for Excel)"
        output = io.StringIO()
        # The reasons quote the departments' values too: no cell a formula.
        writer = CSVWriter(output)
        writer.writerow([gettext(f'laisui_connectors.msg_rejects_{name}')
                for name in ['row', 'reason', 'raw']])
        for reject in self.rejects:
            writer.writerow([reject.row_number, reject.reason,
                    reject.raw or ''])
        return '\ufeff' + output.getvalue()


class Reject(ModelSQL, ModelView):
    "Rejected row (校验未通过的数据)"
    __name__ = 'laisui.connector.run.reject'

    run = fields.Many2One('laisui.connector.run', "Run", required=True,
        readonly=True, ondelete='CASCADE')
    row_number = fields.Integer("Row", readonly=True,
        help="Line of the file, or position in the synchronised records.")
    reason = fields.Char("Reason", readonly=True)
    raw = fields.Text("Row (masked)", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('row_number', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.run, Index.Equality())))

    @classmethod
    def create_many(cls, run, rejects):
        from trytond.modules.laisui_base.bulk import bulk_insert
        now = clock.now()
        uid = Transaction().user
        bulk_insert(cls._table,
            ['run', 'row_number', 'reason', 'raw', 'create_uid',
                'create_date'],
            [(run.id, n, reason[:250], raw, uid, now)
                for n, reason, raw in rejects])
