# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Window acceptance (现场受理): the clerk checks the originals of the
uploaded materials, indicator by indicator, before passing the stage; the
pass gives the case its acceptance number (受理编号) and the promised
date printed on the receipt (受理回执)."""
from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.state_guard import lock_rows
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import DecisionError

# One strict sequence per year: ir.sequence.strict counts in its own row,
# inside the transaction, so a rolled back decision leaves no gap.
SEQUENCE_PREFIX = 'SL'
SEQUENCE_PADDING = 6


class Stage(metaclass=PoolMeta):
    __name__ = 'laisui.review.stage'

    acceptance = fields.Boolean("Window Acceptance",
        states={'invisible': Eval('kind') != 'task'},
        help="The clerk checks the originals of the uploaded materials; "
        "passing the stage gives the acceptance number and receipt.")
    promise_days = fields.Integer("Promised Working Days",
        states={'invisible': ~Eval('acceptance')},
        help="The receipt promises a result within this many working days "
        "after acceptance.")

    @classmethod
    def __register__(cls, module):
        migrate = (backend.TableHandler.table_exist(cls._table)
            and not cls.__table_handler__(module).column_exist('acceptance'))
        super().__register__(module)
        if migrate:
            # Databases before the checklist: the window stage of their
            # points workflows (review_data.xml is not updated) becomes the
            # acceptance.
            t = cls.__table__()
            workflow = Pool().get('laisui.review.workflow').__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*t.update(
                    [t.acceptance, t.promise_days], [True, 20],
                    where=(t.code == 'acceptance') & (t.kind == 'task')
                    & t.workflow.in_(workflow.select(workflow.id,
                            where=workflow.document_model
                            == 'laisui.review.points_request'))))

    @classmethod
    def default_acceptance(cls):
        return False


class Case(metaclass=PoolMeta):
    __name__ = 'laisui.review.case'

    originals = fields.One2Many('laisui.review.original', 'case',
        "Originals to Check",
        states={'readonly': Eval('state') != 'open'})
    acceptance_number = fields.Char("Acceptance Number", readonly=True)
    accepted_at = fields.Timestamp("Accepted At", readonly=True)
    accepted_by = fields.Many2One('res.user', "Accepted By", readonly=True)
    promised_date = fields.Date("Promised Date", readonly=True,
        help="The date the receipt promises the result by.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('acceptance_number_unique', Unique(t, t.acceptance_number),
                'laisui_review.msg_acceptance_number_unique'),
            ]

    @classmethod
    def check_modification(cls, mode, cases, values=None, external=False):
        # The ticks are saved through the case form, as the lines are.
        if external and mode == 'write' and 'originals' in (values or {}):
            values = {k: v for k, v in values.items() if k != 'originals'}
            if not values:
                return
        super().check_modification(
            mode, cases, values=values, external=external)

    @classmethod
    def _enter(cls, cases, stage):
        super()._enter(cases, stage)
        if stage.acceptance and stage.kind == 'task':
            Pool().get('laisui.review.original').add_missing(cases)

    def check_decision(self, event, comment):
        super().check_decision(event, comment)
        if event == 'pass' and self.stage.acceptance:
            unchecked = [o for o in self.originals if not o.verified]
            if unchecked:
                raise DecisionError(gettext(
                        'laisui_review.msg_originals_unchecked',
                        case=self.rec_name,
                        originals='、'.join(o.rec_name for o in unchecked)))

    @classmethod
    def _decide(cls, cases, event, comment):
        if event == 'pass':
            cls._accept([c for c in cases if c.stage.acceptance])
        super()._decide(cases, event, comment)

    @classmethod
    def _accept(cls, cases):
        "Number the cases passing their acceptance stage"
        pool = Pool()
        Calendar = pool.get('laisui.calendar.day')
        AuditLog = pool.get('laisui.audit.log')
        now = clock.now()
        today = clock.to_local(now).date()
        user = Transaction().user or None
        entries = []
        promised = {}
        for case in cases:
            if not case.acceptance_number:
                case.acceptance_number = acceptance_number(today.year)
            case.accepted_at = now
            case.accepted_by = user
            days = case.stage.promise_days
            # The cases of a batch share their stage: one calendar walk.
            if days and days not in promised:
                promised[days] = Calendar.add_working_days(today, days)
            case.promised_date = promised.get(days)
            entries.append({'action': 'state', 'resource': str(case),
                    'from_value': case.stage.name,
                    'to_value': 'accepted',
                    'detail': case.acceptance_number})
        cls.save(cases)
        AuditLog.log_many(entries)


def acceptance_number(year):
    "The next acceptance number of year, e.g. SL2026-000123"
    pool = Pool()
    Sequence = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    ModelData = pool.get('ir.model.data')
    type_id = ModelData.get_id('laisui_review', 'sequence_type_acceptance')
    prefix = f'{SEQUENCE_PREFIX}{year}-'
    with without_check_access():
        # One acceptance numbers at a time, waiting for the other (Tryton's
        # own lock of a strict sequence would restart the whole decision):
        # the year's sequence is made once and its numbers follow.
        lock_rows(SequenceType, [type_id])
        sequences = Sequence.search([
                ('sequence_type', '=', type_id),
                ('prefix', '=', prefix),
                ], limit=1)
        if sequences:
            sequence = Sequence(sequences[0].id)
        else:
            sequence, = Sequence.create([{
                        'name': f'受理编号 {year}',
                        'sequence_type': type_id,
                        'prefix': prefix,
                        'padding': SEQUENCE_PADDING,
                        }])
        number = next(sequence._get_many(n=1))
        return f'{sequence._process(sequence.prefix)}{number}'


class Original(ModelSQL, ModelView):
    "Original to check at the window (原件核验)"
    __name__ = 'laisui.review.original'

    case = fields.Many2One('laisui.review.case', "Case", required=True,
        readonly=True, ondelete='CASCADE')
    line = fields.Many2One('laisui.review.line', "Indicator Line",
        required=True, readonly=True, ondelete='CASCADE')
    indicator = fields.Function(fields.Many2One('laisui.points.indicator',
            "Indicator"), 'get_indicator')
    evidence_type = fields.Many2One('laisui.evidence.type', "Original",
        required=True, readonly=True, ondelete='RESTRICT')
    verified = fields.Boolean("Original Verified",
        help="Tick when the original was seen and matches the upload.")
    verified_by = fields.Many2One('res.user', "Verified By", readonly=True)
    verified_at = fields.Timestamp("Verified At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('line', 'ASC'), ('id', 'ASC')]
        cls._sql_constraints += [
            ('line_type_unique', Unique(t, t.line, t.evidence_type),
                'laisui_review.msg_original_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))

    @classmethod
    def default_verified(cls):
        return False

    def get_indicator(self, name):
        return self.line.indicator.id

    def get_rec_name(self, name):
        return f'{self.line.indicator.name}：{self.evidence_type.name}'

    @classmethod
    def add_missing(cls, cases):
        """One original per line and type of material the indicator
        requires that the applicant uploaded (an indicator accepts one of
        several materials, e.g. a lease or a property certificate: the
        clerk checks the ones brought)."""
        existing = {(o.line.id, o.evidence_type.id)
            for o in cls.search([('case', 'in', [c.id for c in cases])])}
        vlist = []
        for case in cases:
            uploaded = {e.type.id for e in case.applicant.evidences}
            for line in case.lines:
                for type_ in line.indicator.evidence_types:
                    key = (line.id, type_.id)
                    if type_.id in uploaded and key not in existing:
                        existing.add(key)
                        vlist.append({'case': case.id, 'line': line.id,
                                'evidence_type': type_.id})
        if vlist:
            cls.create(vlist)

    @classmethod
    def check_modification(cls, mode, originals, values=None,
            external=False):
        super().check_modification(
            mode, originals, values=values, external=external)
        if not external:
            return
        # People tick, at the acceptance stage of an open case, only if
        # they may decide it; the list is the engine's.
        # write() itself adds who ticked and when.
        if (mode != 'write' or 'verified' not in values
                or set(values) - {'verified', 'verified_by', 'verified_at'}):
            raise DecisionError(gettext(
                    'laisui_review.msg_original_readonly'))
        user = Transaction().user
        for case in {o.case for o in originals}:
            if case.state != 'open' or not case.stage.acceptance:
                raise DecisionError(gettext(
                        'laisui_review.msg_original_readonly'))
            if user:
                case.check_responsible(user)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        changed = []
        user = Transaction().user or None
        now = clock.now()
        for originals, values in zip(actions, actions):
            if 'verified' in values:
                values = dict(values,
                    verified_by=user if values['verified'] else None,
                    verified_at=now if values['verified'] else None)
                changed.extend((o, values['verified']) for o in originals
                    if bool(o.verified) != bool(values['verified']))
            args.extend((originals, values))
        super().write(*args)
        if changed:
            Pool().get('laisui.audit.log').log_many([{
                        'action': 'write', 'resource': str(o.case),
                        'from_value': o.rec_name,
                        'to_value': 'verified' if verified else 'unverified',
                        'detail': 'original',
                        } for o, verified in changed])
