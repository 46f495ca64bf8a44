# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a decision did, told to the person who took it.

The decision buttons return the action of a small wizard that reads the
timeline (the step the user just closed, the stage the case is at now,
the SMS the decision queued) and says it in one sentence per case, with a
button to print the acceptance receipt. The bus would push a notification
instead, but it is off in production ([bus] allow_subscribe = False): a
returned action is what sao shows at once, on every backend.
"""
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard


class Step(metaclass=PoolMeta):
    __name__ = 'laisui.review.step'

    sms_sent = fields.Integer("SMS Sent", readonly=True,
        help="The SMS the decision closing this step queued for the "
        "applicant.")


class Case(metaclass=PoolMeta):
    __name__ = 'laisui.review.case'

    @classmethod
    def _decide(cls, cases, event, comment):
        pool = Pool()
        Message = pool.get('laisui.sms.message')
        Step = pool.get('laisui.review.step')
        before = _last_id(Message)
        super()._decide(cases, event, comment)
        phones = {c.applicant.phone: c for c in cases if c.applicant.phone}
        sent = dict.fromkeys([c.id for c in cases], 0)
        for message in Message.search([
                    ('id', '>', before),
                    ('phone', 'in', list(phones)),
                    ]):
            sent[phones[message.phone].id] += 1
        for case in cases:
            steps = Step.search([
                    ('case', '=', case.id),
                    ('decision', '=', event),
                    ('left_at', '!=', None),
                    ], order=[('id', 'DESC')], limit=1)
            if steps:
                Step.write(steps, {'sms_sent': sent[case.id]})

    @classmethod
    def pass_(cls, cases):
        super().pass_(cases)
        return decision_result_action()

    @classmethod
    def return_(cls, cases):
        super().return_(cases)
        return decision_result_action()

    @classmethod
    def reject(cls, cases):
        super().reject(cases)
        return decision_result_action()

    def decision_message(self, user_id):
        "What the last decision of user_id on the case did, in one sentence"
        Step = Pool().get('laisui.review.step')
        steps = Step.search([
                ('case', '=', self.id),
                ('decided_by', '=', user_id),
                ('decision', 'in', ['pass', 'return', 'reject']),
                ], order=[('left_at', 'DESC'), ('id', 'DESC')], limit=1)
        if not steps:
            return gettext('laisui_review.msg_result_none',
                case=self.rec_name)
        step, = steps
        if step.decision == 'pass' and step.stage.acceptance:
            text = gettext('laisui_review.msg_result_accepted',
                case=self.rec_name, number=self.acceptance_number or '')
        elif step.decision == 'pass':
            text = gettext('laisui_review.msg_result_passed',
                case=self.rec_name, stage=self.stage_label())
        elif step.decision == 'return':
            text = gettext('laisui_review.msg_result_returned',
                case=self.rec_name)
        else:
            text = gettext('laisui_review.msg_result_rejected',
                case=self.rec_name)
        if step.sms_sent:
            text += gettext('laisui_review.msg_result_sms')
        return text

    def stage_label(self):
        "Where the case is now: its stage, or how it ended"
        if self.state != 'open':
            return self.state_string
        return self.stage.name if self.stage else ''


def _last_id(Model):
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(Max(table.id)))
    return cursor.fetchone()[0] or 0


def decision_result_action():
    ModelData = Pool().get('ir.model.data')
    return ModelData.get_id('laisui_review', 'wizard_decision_result')


class DecisionResultStart(ModelView):
    "Decision result"
    __name__ = 'laisui.review.decision_result.start'

    message = fields.Text("Result", readonly=True)
    accepted = fields.Boolean("Accepted", readonly=True)


class DecisionResult(Wizard):
    "Decision result"
    __name__ = 'laisui.review.decision_result'

    start = StateView('laisui.review.decision_result.start',
        'laisui_review.decision_result_start_view_form', [
            Button("Print Receipt", 'print_', 'tryton-print',
                states={'invisible': ~Eval('accepted')}),
            Button("OK", 'end', 'tryton-ok', default=True),
            ])
    print_ = StateReport('laisui.review.acceptance_receipt')

    def default_start(self, fields):
        user = Transaction().user
        cases = [r for r in self.records if r.__name__ == 'laisui.review.case']
        return {
            'message': '\n'.join(c.decision_message(user) for c in cases),
            'accepted': any(c.acceptance_number for c in cases),
            }

    def do_print_(self, action):
        cases = [r for r in self.records if r.acceptance_number]
        return action, {'model': 'laisui.review.case',
            'id': cases[0].id if cases else None,
            'ids': [c.id for c in cases]}
