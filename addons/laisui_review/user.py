# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def default_actions(cls):
        "Staff open their desk (工作台) at login: queue, lines, today"
        Data = Pool().get('ir.model.data')
        return [Data.get_id('laisui_review', 'act_queue_board')]
