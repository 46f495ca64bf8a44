# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the home page tells a signed-in applicant to do next."""
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def next_steps(cls, portal):
        """[(label, path, status)] of the signed-in applicant's journey, in
        the order it is done: each module that adds a step appends it with
        the applicant's state in it (e.g. 已登记 2 名家庭成员)."""
        return []
