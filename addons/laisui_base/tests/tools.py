# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import contextlib
import datetime as dt
import io
import re
import unittest

from lxml import etree
from PIL import Image

from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    TestCase, activate_module, drop_db, load_doc_tests, with_transaction)
from trytond.transaction import Transaction, TransactionError

PASSWORD = 'Qiang-Mima-2019'
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def png_bytes(size=8, color='red'):
    "A small valid PNG"
    buffer = io.BytesIO()
    Image.new('RGB', (size, size), color).save(buffer, 'PNG')
    return buffer.getvalue()


class PortalTestMixin:
    "Helpers for RouteTestCase classes that drive the applicant portal"

    def url(self, path):
        return f'/{self.db_name}/portal{path}'

    def token(self, client, path='/login'):
        response = client.get(self.url(path))
        return CSRF.search(response.text).group(1)

    def post(self, client, path, data, token_path=None, **kwargs):
        data = dict(data, csrf_token=self.token(client, token_path or path))
        return client.post(self.url(path), data=data, **kwargs)

    def last_code(self, phone):
        found = re.search(r'\d{6}', self.last_sms(phone) or '')
        return found.group(0) if found else None

    def audit_count(self, action):
        with Transaction().start(self.db_name, 0):
            AuditLog = Pool().get('laisui.audit.log')
            return AuditLog.search_count([('action', '=', action)])

    def register(self, client, phone, id_number, name="李红"):
        response = self.post(client, '/register',
            {'phone': phone, 'action': 'send_code'})
        self.assertEqual(response.status_code, 200)
        code = self.last_code(phone)
        return self.post(client, '/register', {
                'phone': phone, 'code': code, 'name': name,
                'id_number': id_number, 'password': PASSWORD,
                'password2': PASSWORD, 'consent': '1',
                'action': 'register'})

    def let_time_pass(self, phone, minutes=2):
        "Age the SMS sent to phone, as if minutes had passed"
        with Transaction().start(self.db_name, 0) as transaction:
            Message = Pool().get('laisui.sms.message')
            table = Message.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.select(table.id, table.create_date,
                    where=table.phone == phone))
            for id_, created in list(cursor):
                cursor.execute(*table.update([table.create_date],
                        [created - dt.timedelta(minutes=minutes)],
                        where=table.id == id_))
            transaction.commit()

    def last_sms(self, phone):
        with Transaction().start(self.db_name, 0):
            Message = Pool().get('laisui.sms.message')
            messages = Message.search(
                [('phone', '=', phone)], order=[('id', 'DESC')], limit=1)
            return messages[0].content if messages else None


def staff(login, *groups):
    "A staff user in the given laisui_base groups"
    pool = Pool()
    User = pool.get('res.user')
    Data = pool.get('ir.model.data')
    user, = User.create([{
                'name': login, 'login': login,
                'groups': [('add', [
                            Data.get_id('laisui_base', g) for g in groups])],
                }])
    return user


def committed(database, func, context=None):
    """func() in a transaction as root, committed; retried with the locks
    it asks for, as the RPC and route dispatchers do (a lock taken in a
    transaction that already did work restarts it)"""
    extras = {}
    while True:
        with Transaction().start(database, 0, context=context,
                **extras) as transaction:
            try:
                result = func()
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


def history_entries(model, ids):
    """The audit entries that 历史记录 opens for the records ids of model,
    its domain evaluated as the client evaluates it"""
    pool = Pool()
    ActWindow = pool.get('ir.action.act_window')
    action = ActWindow(pool.get('ir.model.data').get_id(
            'laisui_base', 'act_audit_history'))
    domain = PYSONDecoder({
            'active_model': model,
            'active_id': ids[0] if ids else None,
            'active_ids': ids,
            }).decode(action.pyson_domain)
    return pool.get('laisui.audit.log').search(domain)


def has_history(model):
    "Whether 历史记录 is among the current user's relates of model"
    pool = Pool()
    Keyword = pool.get('ir.action.keyword')
    action_id = pool.get('ir.model.data').get_id(
        'laisui_base', 'act_audit_history')
    return action_id in {
        a['id'] for a in Keyword.get_keyword('form_relate', (model, -1))}


@contextlib.contextmanager
def acting(user):
    "Run as the user, with access rights and record rules, as over RPC"
    transaction = Transaction()
    with transaction.set_user(user.id), \
            transaction.set_context(_check_access=True):
        yield


def bare_datetime_columns(module):
    """The (view, field) of the module's list views that show a date-time
    without widget="date" or "time": sao has no list column for a
    date-time and stops drawing the list."""
    pool = Pool()
    View = pool.get('ir.ui.view')
    found = []
    for view in View.search([
                ('module', '=', module), ('type', '=', 'tree')]):
        Model = pool.get(view.model)
        arch = Model.fields_view_get(view.id, 'tree')['arch']
        for node in etree.fromstring(arch).iter('field'):
            field = Model._fields.get(node.get('name'))
            if (field is not None and not node.get('widget')
                    and field._type in {'datetime', 'timestamp'}):
                found.append((view.name, node.get('name')))
    return found


def untranslated_view_strings(module, language='zh_CN'):
    """The (model, text) of the strings and confirmations of the module's
    views that have no translation in the language"""
    pool = Pool()
    View = pool.get('ir.ui.view')
    Translation = pool.get('ir.translation')
    found = []
    for view in View.search([('module', '=', module)]):
        for node in etree.fromstring(view.arch.encode()).iter():
            for text in filter(None, [node.get('string'), node.get('confirm')]):
                if not Translation.search([
                            ('lang', '=', language), ('type', '=', 'view'),
                            ('name', '=', view.model), ('src', '=', text),
                            ('value', 'not in', [None, '']),
                            ], limit=1):
                    found.append((view.model, text))
    return found


class ViewChecksMixin:
    "Checks of the module's views, for its ModuleTestCase"

    @with_transaction()
    def test_list_date_times_have_widgets(self):
        "Every date-time of a list is shown as a date or a time column"
        self.assertEqual(bare_datetime_columns(self.module), [])

    @with_transaction()
    def test_views_translated(self):
        "Every string of the views reads in zh_CN"
        self.assertEqual(untranslated_view_strings(self.module), [])


class ActivatedTestCase(TestCase):
    """Tests on a fresh database with `modules` activated in `language`,
    set up as ModuleTestCase sets up its own. Tryton's generic checks of
    a module run once, in its test_module.py."""
    modules = []
    language = 'zh_CN'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(cls.modules, lang=cls.language)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def scenario_tests(name, file):
    """load_tests and test_scenarios of the scenario_*.rst beside file, for
    unittest and for pytest (which ignores load_tests)"""
    def load_tests(*args, **kwargs):
        return load_doc_tests(name, file, *args, **kwargs)

    def test_scenarios():
        suite = load_doc_tests(
            name, file, unittest.TestLoader(), unittest.TestSuite(), None)
        result = unittest.TextTestRunner(verbosity=0).run(suite)
        assert suite.countTestCases() > 0
        assert result.wasSuccessful(), result.failures + result.errors
    return load_tests, test_scenarios
