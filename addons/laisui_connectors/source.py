# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

KINDS = [
    ('http', "HTTP/JSON Interface"),
    ('file', "Files Sent by the Department"),
    ]


class Source(DeactivableMixin, ModelSQL, ModelView):
    """External system (数据来源系统)

    The credential is write-only: once saved it is never sent back to any
    client (field access denies reading `credential_value`), only whether
    one is set.
    """
    __name__ = 'laisui.connector.source'

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    department = fields.Many2One('laisui.department', "Department",
        ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", required=True)
    base_url = fields.Char("Base URL",
        states={'invisible': Eval('kind') != 'http',
            'required': Eval('kind') == 'http'})
    username = fields.Char("User Name",
        states={'invisible': Eval('kind') != 'http'})
    credential = fields.Function(fields.Char("Credential",
            states={'invisible': Eval('kind') != 'http'},
            help="Write-only: a saved credential is never shown again."),
        'get_credential', setter='set_credential')
    credential_value = fields.Char("Credential Value", readonly=True)
    timeout = fields.Integer("Timeout (s)", required=True)
    retries = fields.Integer("Retries", required=True)
    page_size = fields.Integer("Page Size", required=True)
    datasets = fields.One2Many(
        'laisui.connector.dataset', 'source', "Datasets")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_connectors.msg_source_code_unique'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_kind(cls):
        return 'http'

    @classmethod
    def default_timeout(cls):
        return 10

    @classmethod
    def default_retries(cls):
        return 3

    @classmethod
    def default_page_size(cls):
        return 1000

    @classmethod
    def get_credential(cls, sources, name):
        return {s.id: '********' if s.credential_value else ''
            for s in cls._credentials(sources)}

    @classmethod
    def _credentials(cls, sources):
        with Transaction().set_context(_check_access=False):
            return cls.browse(sources)

    @classmethod
    def set_credential(cls, sources, name, value):
        # The mask coming back from a client means "unchanged".
        if value == '********':
            return
        with Transaction().set_context(_check_access=False):
            cls.write(list(sources), {'credential_value': value or None})

    def secret(self):
        "The credential, for the adapters only"
        with Transaction().set_context(_check_access=False):
            return self.__class__(self.id).credential_value
