# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The admission score beside the current points (domain.md §9.5).

The points statement holds the current points: every indicator as of its
reference date. The admission score has another purpose and other inputs:
only the indicators that count for admission (no deductions, §4.1), as of
the round's points cut-off, frozen on the application at submission. It is
summed here once, for the application, the allocation and every page and
export, and always shown with its label, never as a bare number.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

# Submitted applications: their frozen score is the applicant's.
SCORED_STATES = ('review', 'returned', 'eligible', 'ineligible')


def admission_score(lines):
    """(score, tie-break points) of admission lines, objects with
    sequence, indicator and points: their sum, never below 0, and their
    points in catalogue order"""
    lines = sorted(lines, key=lambda l: (l.sequence or 0, int(l.indicator)))
    points = [Decimal(l.points) for l in lines]
    return max(sum(points, Decimal(0)), Decimal(0)), points


def admission_label(round_):
    "The admission score's label: its cut-off date and what it leaves out"
    return gettext('laisui_admission.msg_score_admission',
        date=round_.points_cutoff)


def admission_scores(applicants):
    """{applicant id: [(label, score)]}: the frozen score of each round
    the applicants applied in, the latest round first"""
    Application = Pool().get('laisui.admission.application')
    result = {int(a): [] for a in applicants}
    # Staff who read a statement read its applicant's scores.
    with Transaction().set_context(_check_access=False):
        applications = Application.search([
                ('applicant', 'in', list(result)),
                ('state', 'in', SCORED_STATES),
                ('score', '!=', None),
                ], order=[('round.points_cutoff', 'DESC'), ('id', 'ASC')])
    for application in applications:
        # Two children of one parent in a round: one score, shown once.
        scored = (admission_label(application.round), application.score)
        if scored not in result[application.applicant.id]:
            result[application.applicant.id].append(scored)
    return result


class Statement(metaclass=PoolMeta):
    __name__ = 'laisui.points.statement'

    admission_scores = fields.Function(fields.Char("Admission Scores",
            help="The score of each round applied in: the indicators "
            "that count for admission, as of the round's points cut-off."),
        'get_admission_scores')

    @classmethod
    def get_admission_scores(cls, statements, name):
        scores = admission_scores([s.applicant for s in statements])
        return {s.id: '；'.join(f'{label} {points}'
                for label, points in scores[s.applicant.id])
            for s in statements}

    @classmethod
    def labelled_scores(cls, applicant):
        return (super().labelled_scores(applicant)
            + admission_scores([applicant])[applicant.id])
