# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import secrets

from trytond import config
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.transaction import Transaction, without_check_access

SECTION = 'laisui_review'
# A shorter reason for adjusting a line's points says nothing to whoever
# reads the audit later: [laisui_review] min_reason_length.
MIN_REASON_LENGTH = 4


def min_reason_length():
    "Fewest characters of the reason for adjusting a line's points"
    return config.getint(SECTION, 'min_reason_length',
        default=MIN_REASON_LENGTH)


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Review configuration"
    __name__ = 'laisui.review.configuration'

    # Nobody reads it (ir.model.field.access): it signs batch sheets.
    batch_key = fields.Char("Batch Sheet Signing Key")
    department_stop_groups = fields.Many2Many(
        'laisui.review.configuration-res.group', 'configuration', 'group',
        "Roles That May Stop Department Review",
        help="Members may return a case while the departments still "
        "review it.")

    @classmethod
    def get_batch_key(cls):
        """The key that signs batch review sheets: [laisui_review]
        batch_key of the server configuration, else one made for this
        database on first use (in the record review_data.xml creates)."""
        key = config.get(SECTION, 'batch_key')
        if key:
            return key.encode()
        with Transaction().set_context(_check_access=False):
            configuration = cls.get_singleton()
            key = configuration.batch_key if configuration else None
            if not key:
                key = secrets.token_hex(32)
                cls.write([configuration], {'batch_key': key})
            return key.encode()

    @classmethod
    def may_stop_department_review(cls, user):
        "Whether the user's roles may end a department stage early"
        with without_check_access():
            configuration = cls.get_singleton()
            allowed = {g.id for g in configuration.department_stop_groups
                } if configuration else set()
        return any(g.id in allowed for g in user.groups)


class ConfigurationGroup(ModelSQL):
    "Review configuration - role"
    __name__ = 'laisui.review.configuration-res.group'

    configuration = fields.Many2One('laisui.review.configuration',
        "Configuration", required=True, ondelete='CASCADE')
    group = fields.Many2One('res.group', "Role", required=True,
        ondelete='CASCADE')
