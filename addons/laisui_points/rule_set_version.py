# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A new version of a rule set (新版本): the way to change the rules.

An approved version is never changed. The wizard copies any version into
a draft with everything that decides points: its values, indicators with
their formulas, caps, windows and evidence, and what other modules hang
on an indicator (laisui_review's comparison rules). The draft is then
edited and approved by a second points admin.
"""
import datetime as dt

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateAction, StateView, Wizard


class NewVersionStart(ModelView):
    "New Rule Set Version"
    __name__ = 'laisui.points.rule_set.new_version.start'

    source = fields.Many2One('laisui.points.rule_set', "Copied From",
        required=True, readonly=True)
    name = fields.Char("Name", required=True)
    version = fields.Char("Version", required=True,
        help="A version no other rule set has, e.g. GZ-2021.")
    date_from = fields.Date("Effective From", required=True)
    date_to = fields.Date("Effective To")
    legal_basis = fields.Char("Legal Basis")


class NewVersion(Wizard):
    "New Rule Set Version"
    __name__ = 'laisui.points.rule_set.new_version'

    start = StateView('laisui.points.rule_set.new_version.start',
        'laisui_points.rule_set_new_version_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create Draft", 'draft', 'tryton-ok', default=True),
            ])
    draft = StateAction('laisui_points.act_rule_set')

    def default_start(self, fields):
        source = self.record
        return {
            'source': source.id,
            'name': source.name,
            'legal_basis': source.legal_basis,
            # Where the source ends, the next version starts.
            'date_from': (source.date_to + dt.timedelta(days=1)
                if source.date_to else None),
            }

    def do_draft(self, action):
        RuleSet = Pool().get('laisui.points.rule_set')
        start = self.start
        draft, = RuleSet.copy([self.record], default={
                'name': start.name,
                'version': start.version,
                'date_from': start.date_from,
                'date_to': start.date_to,
                'legal_basis': start.legal_basis,
                })
        action['views'].reverse()
        return action, {'res_id': [draft.id]}
