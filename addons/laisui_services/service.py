# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The public-service catalogue (服务内容配置).

A service is the stable entry applicants find (its code, name, category,
department); what it asks and how it is decided lives in its versions
(version.py): an application is pinned to the version it started on.
"""
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import ServiceError

CATEGORIES = [
    ('training', "Integration Training"),
    ('volunteer', "Volunteer Service"),
    ('community', "Community Activity"),
    ('certificate', "Certificate"),
    ('other', "Other Service"),
    ]


class Service(DeactivableMixin, ModelSQL, ModelView):
    "Public service (公共服务事项)"
    __name__ = 'laisui.service'

    code = fields.Char("Code", required=True,
        states={'readonly': Eval('id', -1) > 0},
        help="Letters, digits and underscores: the service's address on "
        "the portal and its scope in workflows and the blacklist.")
    name = fields.Char("Name", required=True)
    category = fields.Selection(CATEGORIES, "Category", required=True)
    category_string = category.translated('category')
    department = fields.Many2One('laisui.department', "Responsible Department",
        required=True, ondelete='RESTRICT')
    versions = fields.One2Many('laisui.service.version', 'service',
        "Versions", readonly=True)
    current_version = fields.Function(fields.Many2One(
            'laisui.service.version', "Published Version"),
        'get_current_version')
    sessions = fields.One2Many('laisui.service.session', 'service',
        "Sessions")
    integrity_service = fields.Many2One('laisui.integrity.service',
        "Blacklist Scope", readonly=True, ondelete='RESTRICT',
        help="The service integrity policies and blacklist entries name.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_services.msg_service_code_unique'),
            ]
        cls._order = [('category', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_category(cls):
        return 'other'

    def get_current_version(self, name):
        Version = Pool().get('laisui.service.version')
        versions = Version.search([
                ('service', '=', self.id),
                ('state', '=', 'published'),
                ], order=[('number', 'DESC')], limit=1)
        return versions[0].id if versions else None

    @classmethod
    def validate_fields(cls, services, field_names):
        super().validate_fields(services, field_names)
        if 'code' in field_names:
            for service in services:
                code = service.code or ''
                if not (code.isascii() and code.replace('_', '').isalnum()
                        and code[:1].isalpha()):
                    raise ServiceError(gettext(
                            'laisui_services.msg_service_code',
                            code=code))

    @classmethod
    def create(cls, vlist):
        "Each service is a blacklist scope of the same code and name"
        IntegrityService = Pool().get('laisui.integrity.service')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('integrity_service') and values.get('code'):
                scope = IntegrityService.get(values['code'])
                if not scope:
                    scope, = IntegrityService.create([{
                                'code': values['code'],
                                'name': values.get('name') or values['code'],
                                }])
                values['integrity_service'] = scope.id
        return super().create(vlist)

    @classmethod
    def by_code(cls, code):
        "The active service of a code, or None"
        services = cls.search([('code', '=', code)], limit=1)
        return services[0] if services else None
