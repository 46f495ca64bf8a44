# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Where the webhooks' events happen: each emits its deliveries in the
transaction of the change (webhook.py)."""
from trytond.pool import Pool, PoolMeta


def _emit(event, records):
    Pool().get('laisui.api.webhook.delivery').emit(event, records)


def _case(case, **values):
    return dict({
            'case': case.id,
            'document': case.document.__name__,
            'document_id': case.document.id,
            }, **values)


class Case(metaclass=PoolMeta):
    __name__ = 'laisui.review.case'

    @classmethod
    def start(cls, documents):
        cases = super().start(documents)
        _emit('application.submitted', [_case(c) for c in cases])
        return cases

    @classmethod
    def _finish(cls, cases, outcome):
        super()._finish(cases, outcome)
        _emit('case.decided', [_case(c, state=outcome) for c in cases])


class Run(metaclass=PoolMeta):
    __name__ = 'laisui.admission.run'

    @classmethod
    def publish(cls, runs):
        super().publish(runs)
        _emit('result.published', [
                {'run': r.id, 'round': r.round.rec_name} for r in runs])


class Credential(metaclass=PoolMeta):
    __name__ = 'laisui.credential'

    @classmethod
    def revoke(cls, credentials, reason):
        super().revoke(credentials, reason)
        _emit('voucher.revoked', [
                {'number': c.number, 'kind': c.kind} for c in credentials])
