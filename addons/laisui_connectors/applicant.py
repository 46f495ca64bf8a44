# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta


class Applicant(metaclass=PoolMeta):
    __name__ = 'laisui.applicant'

    external_records = fields.One2Many('laisui.connector.record',
        'applicant', "External Records", readonly=True,
        help="What the source systems hold on this person.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'lookup_external': {},
                })

    @classmethod
    @ModelView.button
    def lookup_external(cls, applicants):
        """Ask every source with a per-person look-up about the applicants
        now, instead of waiting for the next synchronisation"""
        Dataset = Pool().get('laisui.connector.dataset')
        Run = Pool().get('laisui.connector.run')
        # The button's groups are the permission (Tryton runs a button's
        # body without access checks): clerks may ask, though they can
        # neither read datasets nor create runs by hand.
        datasets = Dataset.search([
                ('source.kind', '=', 'http'),
                ('source.active', '=', True),
                ('lookup_endpoint', '!=', None),
                ])
        for applicant in applicants:
            Run.launch(datasets, 'lookup', applicant=applicant)
