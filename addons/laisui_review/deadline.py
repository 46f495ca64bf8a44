# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""To-do reminders (待办提醒) on working-day deadlines.

Cases waiting at a task stage and department tasks both have a deadline
and the same three reminders, each sent once: before the deadline (the
stage's remind_days), when it has passed, and an escalation to the
district admins when it has passed by the stage's escalate_days. The
working-day calendar decides every date.
"""
import json
from email.message import EmailMessage

from trytond import config
from trytond.model import fields
from trytond.modules.laisui_base import clock
from trytond.pool import Pool
from trytond.sendmail import send_message_transactional
from trytond.tools import grouped_slice
from trytond.transaction import without_check_access


class DeadlineMixin:
    __slots__ = ()

    deadline = fields.Date("Deadline", readonly=True)
    reminded = fields.Boolean("Reminded", readonly=True)
    overdue_notified = fields.Boolean("Overdue Notified", readonly=True)
    escalated = fields.Boolean("Escalated", readonly=True)

    def deadline_recipients(self):
        "The users responsible for the record now"
        raise NotImplementedError

    def deadline_label(self):
        "How the reminder names the record"
        return self.rec_name

    def deadline_stage(self):
        return self.stage

    @classmethod
    def deadline_domain(cls):
        "The records that wait for people"
        return [('state', '=', 'open'), ('deadline', '!=', None)]

    @classmethod
    def send_reminders(cls, today=None):
        """Send the reminders that are due; return how many were sent.

        Each reminder is a notification in the back office, an SMS to the
        users with a mobile number (through the SMS outbox, which retries
        when the gateway fails) and an e-mail after commit."""
        Calendar = Pool().get('laisui.calendar.day')
        today = today or clock.today()
        sent = 0
        admins = None
        changed = []
        for record in cls.search(cls.deadline_domain()):
            stage = record.deadline_stage()
            late = Calendar.working_days_between(record.deadline, today)
            due = []
            if (not record.reminded and stage.remind_days
                    and -late <= stage.remind_days and late <= 0):
                record.reminded = True
                due.append(('review_reminder', record.deadline_recipients()))
            if late > 0 and not record.overdue_notified:
                record.overdue_notified = record.reminded = True
                due.append(('review_overdue', record.deadline_recipients()))
            if (late > 0 and not record.escalated
                    and late >= (stage.escalate_days or 0)):
                record.escalated = True
                if admins is None:
                    admins = district_admins()
                due.append(('review_escalated', admins))
            for template, users in due:
                notify(users, template, record, late)
                sent += len(users)
            if due:
                changed.append(record)
        cls.save(changed)
        return sent


def district_admins():
    "The users escalations go to"
    pool = Pool()
    User = pool.get('res.user')
    Data = pool.get('ir.model.data')
    return User.search([
            ('groups', '=', Data.get_id(
                    'laisui_base', 'group_district_admin')),
            ])


def notify(users, template, record, late=0):
    """Tell the users about the record by notification, SMS and e-mail.

    The SMS goes into the outbox in this transaction; a gateway failure
    leaves it pending for the send cron, so nothing is lost."""
    values = {
        'record': record.deadline_label(),
        'deadline': str(record.deadline or ''),
        'late': late,
        }
    send_notice(users, template, values, [record], warning=late > 0)


def send_notice(users, template, values, records, warning=False):
    """The SMS template rendered with values, to the users by notification
    (opening the records), SMS and e-mail"""
    pool = Pool()
    Notification = pool.get('res.notification')
    Message = pool.get('laisui.sms.message')
    Template = pool.get('laisui.sms.template')
    text = Template.get(template).render(values)
    Notification.create([{
                'user': u.id,
                'label': text[:80],
                'description': text,
                'icon': 'tryton-warning' if warning else 'tryton-info',
                'model': records[0].__name__,
                'records': str([r.id for r in records]),
                } for u in users])
    for user in users:
        if user.mobile:
            Message.queue(user.mobile, template, values,
                check_rate=False)
    emails = [u.email for u in users if u.email]
    if emails:
        send_email(emails, text)


def close_reminders(records):
    """Mark read the notices about the records: the to-do they named is
    done (the case left the stage, the task or the lines were decided). A
    notice naming several records closes when all of them are given."""
    Notification = Pool().get('res.notification')
    if not records:
        return
    done = {r.id for r in records}
    closed = []
    with without_check_access():
        for sub_ids in grouped_slice(sorted(done), 100):
            # records is str(list of ids): it starts with the first one.
            starts = []
            for id_ in sub_ids:
                starts += [('records', '=', f'[{id_}]'),
                    ('records', 'like', f'[{id_},%')]
            for notification in Notification.search([
                        ('model', '=', records[0].__name__),
                        ('unread', '=', True),
                        ['OR', *starts],
                        ]):
                if set(json.loads(notification.records)) <= done:
                    closed.append(notification)
        Notification.write(closed, {'unread': False})


def send_email(to, text):
    "An e-mail sent after commit, never for a rolled back transaction"
    message = EmailMessage()
    message['From'] = config.get('email', 'from')
    message['To'] = ', '.join(to)
    message['Subject'] = text[:60]
    message.set_content(text)
    send_message_transactional(message)
