# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Sessions of a service (场次): training dates, activity slots.

A session has a capacity. An application submitted while places are left
takes one; the others join the waiting list in the order they were
submitted, and the first of it takes a place that is given back (withdrawn
or rejected).
"""
from sql.aggregate import Count

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

# The application states that hold a place or a waiting-list rank.
HOLDING = ['review', 'returned', 'approved']


class Session(ModelSQL, ModelView):
    "Service session (服务场次)"
    __name__ = 'laisui.service.session'

    service = fields.Many2One('laisui.service', "Service", required=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End", required=True,
        domain=[('end', '>=', Eval('start'))])
    place = fields.Char("Place", required=True)
    capacity = fields.Integer("Capacity", required=True,
        domain=[('capacity', '>', 0)])
    open = fields.Boolean("Open for Applications",
        help="Applicants can choose the session while it is open.")
    taken = fields.Function(fields.Integer("Places Taken"), 'get_counts')
    waiting = fields.Function(fields.Integer("Waiting List"), 'get_counts')
    left = fields.Function(fields.Integer("Places Left"), 'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.service, Index.Equality())))
        cls._order = [('start', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_open(cls):
        return True

    def get_rec_name(self, name):
        return f'{self.name}（{_local(self.start)}，{self.place}）'

    @classmethod
    def get_counts(cls, sessions, names):
        Application = Pool().get('laisui.service.application')
        application = Application.__table__()
        cursor = Transaction().connection.cursor()
        counts = {(s.id, p): 0 for s in sessions
            for p in ('confirmed', 'waiting')}
        cursor.execute(*application.select(
                application.session, application.place,
                Count(application.id),
                where=application.session.in_([s.id for s in sessions])
                & application.state.in_(HOLDING),
                group_by=[application.session, application.place]))
        for session_id, place, count in cursor:
            if place in ('confirmed', 'waiting'):
                counts[session_id, place] = count
        result = {n: {} for n in names}
        for session in sessions:
            taken = counts[session.id, 'confirmed']
            values = {'taken': taken,
                'waiting': counts[session.id, 'waiting'],
                'left': max(session.capacity - taken, 0)}
            for name in names:
                result[name][session.id] = values[name]
        return result

    def place_for_next(self):
        "'confirmed' while places are left, else 'waiting'"
        return 'confirmed' if self.left > 0 else 'waiting'


def _local(timestamp):
    return clock.to_local(timestamp).strftime('%Y-%m-%d %H:%M')
