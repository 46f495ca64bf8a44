# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The desk (工作台) shows the admission timeline: current rounds only."""
import datetime as dt

from trytond.modules.laisui_base.tests.tools import (
    ActivatedTestCase, acting, staff)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction


class DeskTestCase(ActivatedTestCase):
    "Desk with the admission timeline"
    modules = ['laisui_admission']

    @with_transaction()
    def test_desk_board_has_the_timeline(self):
        "The desk opens the board with the rounds' dates"
        pool = Pool()
        ActWindow = pool.get('ir.action.act_window')
        View = pool.get('ir.ui.view')
        action = ActWindow.get('laisui_review.act_queue_board')
        first_view, _ = action['views'][0]
        arch = View(first_view).arch
        self.assertIn('laisui_admission.act_round_timeline', arch)
        self.assertIn('laisui_review.act_queue_case', arch)

    @with_transaction()
    def test_timeline_lists_current_rounds(self):
        "A closed round leaves the timeline; the reviewer may read it"
        pool = Pool()
        Round = pool.get('laisui.admission.round')
        ActWindow = pool.get('ir.action.act_window')
        action = ActWindow.get('laisui_admission.act_round_timeline')
        rounds = Round.create([{
                    'name': f'{year}年积分入学', 'year': year,
                    'points_cutoff': dt.date(year, 4, 30),
                    'age_date': dt.date(year, 8, 31),
                    'application_start': dt.datetime(year, 5, 1),
                    'application_end': dt.datetime(year, 5, 15),
                    } for year in [2025, 2026]])
        Round.write([rounds[0]], {'state': 'closed'})
        reviewer = staff('reviewer01', 'group_department_reviewer')
        with acting(reviewer):
            shown = Round.search(
                PYSONDecoder().decode(action['pyson_domain']))
        self.assertEqual([r.id for r in shown], [rounds[1].id])
