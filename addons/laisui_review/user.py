# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta

# The roles whose people review: their desk (工作台) opens at login.
REVIEW_ROLES = ['group_window_clerk', 'group_district_reviewer',
    'group_department_reviewer', 'group_district_admin', 'group_auditor']


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names)
        if mode == 'delete' or (
                field_names is not None and 'groups' not in field_names):
            return
        Data = Pool().get('ir.model.data')
        desk = Data.get_id('laisui_review', 'act_queue_board')
        roles = {Data.get_id('laisui_base', r) for r in REVIEW_ROLES}
        given = [u for u in cls.browse(users)
            if roles & {g.id for g in u.groups}
            and desk not in {a.id for a in u.actions}]
        if given:
            cls.write(given, {'actions': [('add', [desk])]})
