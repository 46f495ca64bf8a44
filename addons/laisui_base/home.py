# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the home page tells a signed-in applicant to do next, and the
public pages it lists beside the guides."""
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'laisui.portal'

    @classmethod
    def next_steps(cls, portal):
        """[(label, path, status)] of the signed-in applicant's journey, in
        the order it is done: each module that adds a step appends it with
        the applicant's state in it (e.g. 已登记 2 名家庭成员)."""
        return []

    @classmethod
    def public_links(cls, portal):
        """[(label, path, guide code)] of the public pages each module adds
        to the guides (办事指南): the home page lists them all, the guide of
        that code its own (the publication of results, under admission)."""
        return []
