# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Graphical designer of a workflow (图形化流程定制).

The designer page (static/designer.js on bpmn-js) draws the workflow's own
stages and transitions and saves back into them: no diagram format is kept
beside the definition, x and y are the stage's position.

sao keeps its session to itself, so the form's button grants the page a
short-lived token for one person and one workflow. It travels in the URL
fragment, which browsers neither send nor log, and comes back as a bearer
header: no cookie, so no cross-site request can use it.
"""
import datetime as dt
import hashlib
import json
import secrets

from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.laisui_base import clock
from trytond.modules.laisui_base.exceptions import StateConflictError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import WorkflowError
from .workflow import EVENTS, KIND_EVENTS, KINDS

GRANT_LIFETIME = dt.timedelta(hours=2)
# What the page may set; workflow and ids are the server's to decide.
STAGE_FIELDS = {
    'code': str, 'name': str, 'kind': str, 'initial': bool, 'group': int,
    'department': int, 'deadline_days': int, 'remind_days': int,
    'escalate_days': int, 'distinct_decider': bool, 'action': str,
    'outcome': str, 'notice': int, 'x': int, 'y': int,
    }
TRANSITION_FIELDS = {
    'event': str, 'condition': str, 'name': str, 'sequence': int}
MAX_ELEMENTS = 200


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Grant(ModelSQL):
    "Designer grant: lets one person's designer page edit one workflow"
    __name__ = 'laisui.review.designer.grant'

    workflow = fields.Many2One('laisui.review.workflow', "Workflow",
        required=True, ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE')
    token_digest = fields.Char("Token Digest", required=True, strip=False)
    expires_at = fields.Timestamp("Expires At", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.token_digest, Index.Equality())))

    @classmethod
    def issue(cls, workflow):
        "A new token for the current user on workflow"
        token = secrets.token_urlsafe(32)
        now = clock.now()
        # Expired grants are useless: drop them while here.
        cls.delete(cls.search([('expires_at', '<', now)]))
        cls.create([{
                    'workflow': workflow.id,
                    'user': Transaction().user,
                    'token_digest': _digest(token),
                    'expires_at': now + GRANT_LIFETIME,
                    }])
        return token

    @classmethod
    def user_for(cls, workflow_id, token):
        "The active user the token was granted to, or None"
        if not token or len(token) > 100:
            return None
        grants = cls.search([
                ('token_digest', '=', _digest(token)),
                ('workflow', '=', workflow_id),
                ('expires_at', '>', clock.now()),
                ], limit=1)
        if grants and grants[0].user.active:
            return grants[0].user
        return None


class Workflow(metaclass=PoolMeta):
    __name__ = 'laisui.review.workflow'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'design': {'depends': ['state']},
                })

    @classmethod
    @ModelView.button
    def design(cls, workflows):
        "Open the designer page of the workflow"
        Grant = Pool().get('laisui.review.designer.grant')
        if len(workflows) != 1:
            return  # one page draws one workflow
        workflow, = workflows
        token = Grant.issue(workflow)
        database = Transaction().database.name
        return {
            'type': 'ir.action.url',
            'name': workflow.rec_name,
            'url': (f'/{database}/laisui/designer'
                f'#workflow={workflow.id}&token={token}'),
            }

    def diagram_content(self):
        "The stages and transitions as the page gets them"
        def value(record, name):
            value = getattr(record, name)
            if STAGE_FIELDS[name] is bool:
                return bool(value)  # SQLite stores 0 and 1
            return value.id if isinstance(value, ModelSQL) else value
        return {
            'stages': [{'id': s.id, **{f: value(s, f) for f in STAGE_FIELDS}}
                for s in self.stages],
            'transitions': [{
                    'id': t.id, 'source': t.source.id, 'target': t.target.id,
                    **{f: getattr(t, f) for f in TRANSITION_FIELDS},
                    } for t in self.transitions],
            }

    def diagram_stamp(self, content=None):
        """Changes with anything the page shows: a hash of the content, as
        timestamps do not move within one database transaction."""
        content = dict(content or self.diagram_content(), state=self.state)
        return hashlib.sha256(json.dumps(
                content, sort_keys=True, default=str).encode()).hexdigest()

    def diagram(self):
        "What the designer page draws and offers, in the user's language"
        pool = Pool()
        Stage = pool.get('laisui.review.stage')
        Transition = pool.get('laisui.review.transition')
        Group = pool.get('res.group')
        Department = pool.get('laisui.department')
        Template = pool.get('laisui.sms.template')
        stage_fields = Stage.fields_get(['kind', 'action', 'outcome'])
        content = self.diagram_content()
        transition_fields = Transition.fields_get(['event'])
        return {
            'workflow': {
                'id': self.id,
                'name': self.rec_name,
                'state': self.state_string,
                'editable': self.state == 'draft',
                },
            'stamp': self.diagram_stamp(content),
            **content,
            'kinds': stage_fields['kind']['selection'],
            'actions': [a for a in stage_fields['action']['selection'] if a[0]],
            'outcomes': [
                o for o in stage_fields['outcome']['selection'] if o[0]],
            'events': transition_fields['event']['selection'],
            'kind_events': {k: sorted(v) for k, v in KIND_EVENTS.items()},
            'groups': [(g.id, g.name) for g in Group.search(
                    [], order=[('name', 'ASC')])],
            'departments': [(d.id, d.name) for d in Department.search([])],
            'notices': [(t.id, t.name) for t in Template.search(
                    Stage.notice.domain, order=[('name', 'ASC')])],
            }

    def save_diagram(self, data, stamp):
        """Replace the stages and transitions by those of the page.

        Runs as the person, with access checks: only who may write
        workflows can, and only a draft. `stamp` is what the page loaded:
        a workflow changed meanwhile is a conflict, not overwritten."""
        pool = Pool()
        Stage = pool.get('laisui.review.stage')
        Transition = pool.get('laisui.review.transition')
        AuditLog = pool.get('laisui.audit.log')
        self._touch()
        self.check_draft()
        if stamp != self.diagram_stamp():
            raise StateConflictError(gettext(
                    'laisui_review.msg_designer_stale',
                    workflow=self.rec_name))
        stages, transitions = _parsed(data)
        # Everything is checked before the first write.
        known = {s.id: s for s in self.stages}
        for stage in stages:
            if stage['id'] is not None and stage['id'] not in known:
                raise WorkflowError(gettext(
                        'laisui_review.msg_designer_foreign'))
        drawn = {s['key'] for s in stages}
        for transition in transitions:
            if not {transition['source'], transition['target']} <= drawn:
                raise WorkflowError(gettext(
                        'laisui_review.msg_designer_dangling'))
        keys = {}
        kept = {s['id'] for s in stages}
        Transition.delete(list(self.transitions))
        Stage.delete([s for i, s in known.items() if i not in kept])
        # Read order is the form's order: start first, then left to right.
        ordered = sorted(stages, key=lambda s: (
                not s['values'].get('initial'), s['values'].get('x') or 0,
                s['values'].get('y') or 0))
        to_write, to_create, created_keys = [], [], []
        for sequence, stage in enumerate(ordered, 1):
            values = dict(stage['values'], sequence=sequence * 10)
            if stage['id'] is not None:
                to_write.extend(([known[stage['id']]], values))
                keys[stage['key']] = stage['id']
            else:
                to_create.append(dict(values, workflow=self.id))
                created_keys.append(stage['key'])
        # Renamed stages pass through a code nobody uses: codes swapped
        # between stages would otherwise meet the unique constraint half-way.
        renamed = [known[s['id']] for s in stages if s['id'] is not None
            and s['values']['code'] != known[s['id']].code]
        if renamed:
            Stage.write(*sum(([[s], {'code': f'~{s.id}'}] for s in renamed),
                    []))
        if to_write:
            Stage.write(*to_write)
        for key, stage in zip(created_keys, Stage.create(to_create)):
            keys[key] = stage.id
        # The sequence is the order conditions are tried: kept as shown,
        # new transitions after the others.
        last = max((t['values']['sequence'] or 0 for t in transitions),
            default=0)
        vlist = []
        for transition in transitions:
            values = dict(transition['values'])
            if values['sequence'] is None:
                last += 10
                values['sequence'] = last
            vlist.append(dict(values, workflow=self.id,
                    source=keys[transition['source']],
                    target=keys[transition['target']]))
        Transition.create(vlist)
        AuditLog.log('write', resource=self,
            detail=f'图形化设计：{len(stages)}个环节，{len(vlist)}条流转')


    def _touch(self):
        """Write the workflow row itself: a concurrent activation (or
        another save, or a sao form) then conflicts with this save instead
        of both committing over rows the other did not read."""
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.write_uid, table.write_date],
                [Transaction().user, CurrentTimestamp()],
                where=table.id == self.id))


def _parsed(data):
    "The page's stages and transitions, typed, or WorkflowError"
    def error():
        return WorkflowError(gettext('laisui_review.msg_designer_data'))

    def typed(values, spec):
        if not isinstance(values, dict):
            raise error()
        result = {}
        for name, kind in spec.items():
            value = values.get(name)
            if value in (None, ''):
                result[name] = False if kind is bool else None
            elif kind is int and isinstance(value, bool) or not isinstance(
                    value, kind):
                raise error()
            else:
                result[name] = value.strip() if kind is str else value
        return result

    if not isinstance(data, dict):
        raise error()
    stages, transitions = data.get('stages'), data.get('transitions')
    if (not isinstance(stages, list) or not isinstance(transitions, list)
            or len(stages) + len(transitions) > MAX_ELEMENTS):
        raise error()
    kinds, events = {k for k, _ in KINDS}, {e for e, _ in EVENTS}
    parsed_stages, seen = [], set()
    for stage in stages:
        values = typed(stage, STAGE_FIELDS)
        key, id_ = stage.get('key'), stage.get('id')
        if (not isinstance(key, str) or key in seen
                or values['kind'] not in kinds
                or id_ is not None and type(id_) is not int):
            raise error()
        seen.add(key)
        parsed_stages.append({'key': key, 'id': id_, 'values': values})
    parsed_transitions = []
    for transition in transitions:
        values = typed(transition, TRANSITION_FIELDS)
        if (values['event'] not in events
                or not isinstance(transition.get('source'), str)
                or not isinstance(transition.get('target'), str)):
            raise error()
        parsed_transitions.append({
                'source': transition.get('source'),
                'target': transition.get('target'),
                'values': values,
                })
    return parsed_stages, parsed_transitions
