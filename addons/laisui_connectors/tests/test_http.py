# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Synchronisation over real HTTP with a fake rental system on 127.0.0.1
that misbehaves on request."""
from trytond.model.exceptions import AccessButtonError
from trytond.modules.laisui_base.tests.tools import ActivatedTestCase, staff
from trytond.modules.laisui_points.tests.tools import make_applicant
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .fake_sources import FakeSource
from .tools import dataset, id_number, lease, records

CODE = 'rental_lease'


class HttpSyncTestCase(ActivatedTestCase):
    "Synchronising from HTTP sources"
    modules = ['laisui_connectors']

    def setUp(self):
        super().setUp()
        self.fake = FakeSource(token='s3cret-token', slow_seconds=1.5)
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__)

    def configure(self, page_size=100, retries=0, timeout=1):
        Source = Pool().get('laisui.connector.source')
        source = dataset(CODE).source
        Source.write([source], {'base_url': self.fake.url,
                'credential': 's3cret-token', 'page_size': page_size,
                'retries': retries, 'timeout': timeout})

    def sync(self):
        Run = Pool().get('laisui.connector.run')
        run, = Run.launch([dataset(CODE)], 'http')
        Run.process(run)
        return Run(run.id)

    @with_transaction()
    def test_incremental_sync(self):
        "Pages, cursor, changes only, applicants linked"
        applicant = make_applicant(id_number=id_number(7))
        self.configure(page_size=100)
        self.fake.put('leases', [lease(n) for n in range(250)])
        run = self.sync()
        self.assertEqual(run.state, 'done', run.error)
        self.assertEqual((run.rows_read, run.inserted, run.linked),
            (250, 250, 1))
        self.assertEqual(run.cursor_to, '250')
        self.assertEqual(dataset(CODE).cursor, '250')
        self.assertEqual(len(self.fake.requests), 3)
        linked, = [r for r in records(CODE) if r.applicant]
        self.assertEqual(linked.applicant, applicant)
        self.assertTrue(linked.flag)
        self.assertEqual(linked.street.name, '农林街道')

        # Ten new leases, five ended: the next run reads only those.
        self.fake.put('leases', [lease(n, end='2019-06-30')
                for n in range(5)] + [lease(n) for n in range(250, 260)])
        run = self.sync()
        self.assertEqual((run.cursor_from, run.rows_read, run.inserted,
                run.updated), ('250', 15, 10, 5))
        self.assertIn('cursor=250', self.fake.requests[-1])
        self.assertEqual(len(records(CODE)), 260)

    @with_transaction()
    def test_long_sync_in_bounded_runs(self):
        "Past max_rows an incremental sync commits and queues the rest"
        pool = Pool()
        Dataset = pool.get('laisui.connector.dataset')
        Run = pool.get('laisui.connector.run')
        self.configure(page_size=40)
        Dataset.write([dataset(CODE)], {'max_rows': 100})
        self.fake.put('leases', [lease(n) for n in range(250)])
        first = self.sync()
        # Stops at the first page end past 100 rows.
        self.assertEqual((first.state, first.rows_read, first.cursor_to),
            ('done', 120, '120'))
        following = []
        while True:
            queued = Run.search([('state', '=', 'queued')])
            if not queued:
                break
            Run.process(queued[0])
            following.append(Run(queued[0].id))
        self.assertEqual([(r.cursor_from, r.rows_read) for r in following],
            [('120', 120), ('240', 10)])
        self.assertEqual(len(records(CODE)), 250)

        # A full refresh cannot be split: past the limit it fails.
        Dataset.write([dataset(CODE)], {'mode': 'full'})
        run = self.sync()
        self.assertEqual(run.state, 'failed')
        self.assertIn('超过 100 条', run.error)
        self.assertEqual(len(records(CODE)), 250)

    @with_transaction()
    def test_full_refresh(self):
        "A full refresh pages through everything and drops what went"
        pool = Pool()
        Dataset = pool.get('laisui.connector.dataset')
        Fact = pool.get('laisui.fact')
        applicant = make_applicant(id_number=id_number(3))
        self.configure(page_size=50)
        Dataset.write([dataset(CODE)], {'mode': 'full'})
        self.fake.put('leases', [lease(n) for n in range(120)])
        run = self.sync()
        self.assertEqual((run.state, run.inserted, run.linked),
            ('done', 120, 1), run.error)
        self.assertEqual(len([r for r in self.fake.requests
                    if 'cursor=' in r]), 2)
        self.assertEqual(len(Fact.search([
                        ('applicant', '=', applicant.id),
                        ('source', '=', 'external')])), 1)

        self.fake.remove('leases', [lease(n)['record_no'] for n in range(20)])
        run = self.sync()
        self.assertEqual((run.rows_read, run.removed, run.unchanged,
                run.facts_changed), (100, 20, 100, 1))
        self.assertEqual(len(records(CODE)), 100)
        # The fact of the lease the source dropped went with it.
        self.assertEqual(Fact.search([('applicant', '=', applicant.id),
                    ('source', '=', 'external')]), [])

    @with_transaction()
    def test_lookup_one_applicant(self):
        "The look-up button asks the source about one person only"
        pool = Pool()
        Applicant = pool.get('laisui.applicant')
        Run = pool.get('laisui.connector.run')
        Source = pool.get('laisui.connector.source')
        applicant = make_applicant(id_number=id_number(7))
        self.configure()
        # Only the rental system runs in this test.
        Source.write(Source.search([
                    ('id', '!=', dataset(CODE).source.id)]),
            {'active': False})
        self.fake.put('leases', [lease(n) for n in range(20)])
        # A department reviewer may not ask; a window clerk may, through
        # the button's permission only.
        for login, group in [('dept', 'group_department_reviewer'),
                ('clerk', 'group_window_clerk')]:
            user = staff(login, group)
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                if login == 'dept':
                    with self.assertRaises(AccessButtonError):
                        Applicant.lookup_external([applicant])
                else:
                    Applicant.lookup_external([applicant])
        run, = Run.search([('origin', '=', 'lookup')])
        Run.process(run)
        run = Run(run.id)
        self.assertEqual((run.state, run.applicant, run.rows_read,
                run.inserted, run.linked, run.facts_changed),
            ('done', applicant, 1, 1, 1, 1))
        self.assertTrue(self.fake.requests[-1].endswith(
                f'/leases/by-id/{id_number(7)}'))
        # A look-up is no synchronisation: the cursor does not move.
        self.assertIsNone(dataset(CODE).cursor)
        record, = Applicant(applicant.id).external_records
        self.assertEqual(record.reference, lease(7)['record_no'])

    @with_transaction()
    def test_source_down_mid_sync_resumes(self):
        "A 500 on page 2: nothing loaded, cursor kept, next run resumes"
        self.configure(page_size=100)
        self.fake.put('leases', [lease(n) for n in range(250)])
        self.fake.script = ['ok', 'error']
        run = self.sync()
        self.assertEqual(run.state, 'failed')
        self.assertIn('返回错误 500', run.error)
        self.assertEqual(records(CODE), [])
        self.assertIsNone(dataset(CODE).cursor)
        run = self.sync()
        self.assertEqual((run.state, run.inserted), ('done', 250))

    @with_transaction()
    def test_timeout_retried_then_failed(self):
        self.configure(retries=1, timeout=1)
        self.fake.put('leases', [lease(n) for n in range(10)])
        self.fake.script = ['slow', 'slow']
        run = self.sync()
        self.assertEqual(run.state, 'failed')
        self.assertIn('秒内未响应', run.error)
        self.assertEqual(records(CODE), [])
        # One retry after the first timeout, then a clean result.
        self.fake.script = ['slow']
        run = self.sync()
        self.assertEqual((run.state, run.inserted), ('done', 10))

    @with_transaction()
    def test_malformed_and_truncated_json(self):
        self.configure(page_size=5)
        self.fake.put('leases', [lease(n) for n in range(12)])
        for behaviour in ['garbage', 'truncate']:
            self.fake.script = ['ok', behaviour]
            run = self.sync()
            self.assertEqual(run.state, 'failed')
            self.assertIn('不是约定格式的 JSON', run.error)
            self.assertEqual(records(CODE), [])

    @with_transaction()
    def test_repeated_page(self):
        self.configure(page_size=5)
        self.fake.put('leases', [lease(n) for n in range(12)])
        self.fake.script = ['ok', 'repeat']
        run = self.sync()
        self.assertEqual(run.state, 'failed')
        self.assertIn('重复返回同一页', run.error)
        self.assertEqual(records(CODE), [])

    @with_transaction()
    def test_duplicate_and_contradictory_records(self):
        self.configure(page_size=5)
        self.fake.put('leases', [lease(n) for n in range(10)])
        self.fake.script = ['duplicate', 'contradict']
        run = self.sync()
        self.assertEqual(run.state, 'done', run.error)
        # Page 1 twice over: 5 duplicates. Page 2: record 5 in two
        # versions, neither loaded.
        self.assertEqual((run.rows_read, run.duplicates, run.rejected,
                run.inserted), (16, 5, 2, 9))
        self.assertIn('互相矛盾', run.rejects[0].reason)

    @with_transaction()
    def test_bad_records_rejected_not_fatal(self):
        self.configure()
        good, bad = lease(1), lease(2, id_number='440104198001010001',
            start='2019-02-30')
        self.fake.put('leases', [good, bad])
        run = self.sync()
        self.assertEqual((run.state, run.inserted, run.rejected),
            ('done', 1, 1))
        self.assertIn('校验位错误', run.rejects[0].reason)

    @with_transaction()
    def test_credential_write_only(self):
        pool = Pool()
        Source = pool.get('laisui.connector.source')
        self.configure()
        source = dataset(CODE).source
        self.assertEqual(Source.read([source.id], ['credential'])[0][
                'credential'], '********')
        # Writing the mask back keeps the secret.
        Source.write([source], {'credential': '********'})
        self.assertEqual(source.secret(), 's3cret-token')
        self.fake.put('leases', [lease(1)])
        self.assertEqual(self.sync().state, 'done')
        # A wrong credential: 401, clear message.
        Source.write([source], {'credential': 'wrong'})
        run = self.sync()
        self.assertIn('返回错误 401', run.error)
