# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What an outside system may do through the API (OAuth 2 scopes).

A scope names the groups its calls act with: a call runs as the client's
technical user with exactly the groups of the scopes its token carries,
so that access rights, record rules and field access decide as for staff.
Administration and the 三员 roles are never a scope's group.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.laisui_base.audit_diff import AuditedDiffMixin
from trytond.modules.laisui_base.staff import (
    ADMIN_ROLE_GROUPS, ADMINISTRATION, group_id)

from .exceptions import ScopeGroupError


class Scope(AuditedDiffMixin, ModelSQL, ModelView):
    "API scope"
    __name__ = 'laisui.api.scope'
    _rec_name = 'code'

    code = fields.Char("Code", required=True,
        help="As clients ask for it: points:read, integrity:check…")
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    groups = fields.Many2Many('laisui.api.scope-res.group', 'scope',
        'group', "Groups",
        help="The groups a call with this scope acts with.")
    personal = fields.Boolean("Whole Personal Data",
        help="Names and ID numbers unmasked in the answers (each call "
        "audited as an unmask).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'laisui_api.msg_scope_code_unique'),
            ]

    def get_rec_name(self, name):
        return f'{self.code} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('code',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, scopes, field_names):
        super().validate_fields(scopes, field_names)
        if field_names and 'groups' not in field_names:
            return
        forbidden = {group_id(x) for x in ADMIN_ROLE_GROUPS + [ADMINISTRATION]}
        for scope in scopes:
            for group in scope.groups:
                if group.id in forbidden:
                    raise ScopeGroupError(gettext(
                            'laisui_api.msg_scope_group_forbidden',
                            scope=scope.code, group=group.name))


class ScopeGroup(ModelSQL):
    "API scope - group"
    __name__ = 'laisui.api.scope-res.group'

    scope = fields.Many2One('laisui.api.scope', "Scope", required=True,
        ondelete='CASCADE')
    group = fields.Many2One('res.group', "Group", required=True,
        ondelete='CASCADE')
