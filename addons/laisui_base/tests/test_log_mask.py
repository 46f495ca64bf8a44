# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""No ID card or mobile number in any log record (log_mask.py)."""
import base64
import contextlib
import io
import logging
import re
import traceback
import unittest

from trytond.modules.laisui_base import log_mask
from trytond.modules.laisui_base.identity import mask_log
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase
from trytond.tools.logging import format_args
from trytond.transaction import Transaction

from .tools import PASSWORD

ID = '440104199001011232'
ID_X = '44010419900101111X'
PHONE = '13800138000'
LEAKS = [re.compile(r'\d{17}[\dXx]'), re.compile(r'\d{17}'),
    re.compile(r'1[3-9]\d{9}')]


class RawFormatter(logging.Formatter):
    "A formatter that prints exc_info itself, as some JSON formatters do"

    def format(self, record):
        text = super().format(record)
        if record.exc_info:
            text += ''.join(traceback.format_exception(*record.exc_info))
        return text


@contextlib.contextmanager
def captured(level=logging.DEBUG):
    "The text that real handlers on the root logger write, at level"
    output = io.StringIO()
    root = logging.getLogger()
    handlers = [logging.StreamHandler(output) for _ in range(2)]
    handlers[0].setFormatter(logging.Formatter(
            '%(levelname)s %(name)s %(message)s'))
    handlers[1].setFormatter(RawFormatter())
    old_level = root.level
    root.setLevel(level)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield output
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(old_level)


class LeakMixin:

    def assertNoNumbers(self, text):
        for leak in LEAKS:
            self.assertNotRegex(text, leak)


class LogMaskTestCase(LeakMixin, unittest.TestCase):
    "Masked log records"

    def test_mask_log(self):
        for text, expected in [
                (ID, '440104********1232'),
                (ID_X, '440104********111X'),
                (ID[:17] + '...', '440104***********...'),
                ("'440104199001011'", "'440104*********'"),
                (f'id{ID}00', 'id440104**************'),
                (f'+86{PHONE}', '+86138****8000'),
                ('138-0013-8000', '138******8000'),
                ('in 12 ms at 2026-01-01 12:00:00', None),
                ('"GET /d/portal/admission/rounds/3/results?name=%E9%99%88'
                    '%E5%B0%8F%E6%98%8E&birth=2015-05-01 HTTP/1.1" 200',
                    '"GET /d/portal/admission/rounds/3/results?name=***'
                    '&birth=*** HTTP/1.1" 200'),
                ('/results?number=2021-000045&name=陈小明', '/results?number='
                    '2021-000045&name=***'),
                ('"GET /d/laisui/form/preview/3?token=Ab-9_x HTTP/1.1"',
                    '"GET /d/laisui/form/preview/3?token=*** HTTP/1.1"'),
                ('rename=1 first_name: 陈', None),
                ]:
            with self.subTest(text=text):
                self.assertEqual(mask_log(text), expected or text)
                self.assertEqual(mask_log(mask_log(text)), expected or text)

    def test_arguments(self):
        "Arguments, as trytond cuts them for the log, and as repr()"
        logger = logging.getLogger('laisui.test')
        with captured() as output:
            logger.error('申请人 %s 手机 %s', ID, PHONE)
            logger.error('%s', format_args(
                    ([{'id_number': ID, 'phone': PHONE}],), {}))
            logger.warning('%r', {'id': ID_X, 'ids': [ID[:17], ID[:15]]})
            logger.info('%(phone)s', {'phone': PHONE}, stack_info=True)
        text = output.getvalue()
        self.assertIn('440104********1232', text)
        self.assertIn('138****8000', text)
        self.assertIn("'440104***********...'", text)
        self.assertNoNumbers(text)

    def test_exception_traceback(self):
        "The exception's message and source lines, chained exceptions"
        logger = logging.getLogger('laisui.test')
        with captured() as output:
            try:
                try:
                    # Tracebacks show this line: the number is masked too.
                    raise KeyError('44010419900101111X')
                except KeyError:
                    raise ValueError(f'身份证号 {ID[:17]} 手机 {PHONE}')
            except ValueError:
                logger.exception('failed for %s', ID)
        text = output.getvalue()
        self.assertIn('ValueError: 身份证号 440104*********** 手机 138****8000',
            text)
        self.assertIn("raise KeyError('440104********111X')", text)
        self.assertNoNumbers(text)

    def test_installed_once_and_bad_formats(self):
        "Installed with the module, once; an unformattable record too"
        factory = logging.getLogRecordFactory()
        log_mask.install()
        self.assertIs(logging.getLogRecordFactory(), factory)
        with captured() as output:
            logging.getLogger('laisui.test').error('%d', ID)
        self.assertIn('440104********1232', output.getvalue())
        self.assertNoNumbers(output.getvalue())


class LogMaskRouteTestCase(LeakMixin, RouteTestCase):
    "Failing RPC calls through trytond's dispatcher"
    module = 'laisui_base'
    language = 'zh_CN'

    @classmethod
    def setUpDatabase(cls):
        User = Pool().get('res.user')
        User.create([{'name': 'logs', 'login': 'logs', 'password': PASSWORD}])
        Transaction().commit()

    def rpc(self, client, headers, method, *params):
        response = client.post(f'/{self.db_name}/rpc/', headers=headers,
            json={'id': 1, 'method': method, 'params': [*params, {}]})
        return response.json

    def test_failing_rpc_calls(self):
        client = self.client()
        response = client.post(f'/{self.db_name}/rpc/', json={'id': 0,
                'method': 'common.db.login',
                'params': ['logs', {'password': PASSWORD}, 'en']})
        user_id, session = response.json['result'][:2]
        token = base64.b64encode(f'logs:{user_id}:{session}'.encode())
        headers = {'Authorization': 'Session ' + token.decode()}
        calls = [
            # Server errors, logged at ERROR with their traceback
            ('model.res.user.search_count', [('id', '=', ID + 'Y')]),
            ('model.res.user.read', [user_id], [ID, PHONE]),
            # User errors, logged at INFO (with the traceback at DEBUG)
            ('model.res.user.read', [ID[:17], PHONE], ['name']),
            ('model.res.user.write', [user_id], {'name': ID, 'login': PHONE}),
            ]
        for level in [logging.INFO, logging.DEBUG]:
            with self.subTest(level=level), captured(level) as output:
                for method, *params in calls:
                    self.assertIn('error', self.rpc(
                            client, headers, method, *params))
                text = output.getvalue()
                self.assertIn('ERROR trytond.protocols.dispatcher '
                    'res.user.search_count', text)
                self.assertIn('ValueError: invalid literal', text)
                self.assertIn('res.user.write', text)
                self.assertIn('138****8000', text)
                self.assertNoNumbers(text)


del RouteTestCase
