# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Applicant(metaclass=PoolMeta):
    __name__ = 'laisui.applicant'

    def family_member_drafts(self, member):
        # A draft application for a child no longer recorded could never
        # be submitted; submitted ones keep the child (RESTRICT).
        Application = Pool().get('laisui.admission.application')
        return super().family_member_drafts(member) + Application.search([
                ('applicant', '=', self.id),
                ('child', '=', member.id),
                ('state', '=', 'draft'),
                ])
