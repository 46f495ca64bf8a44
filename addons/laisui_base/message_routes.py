# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The 消息 page of the portal: the SMS sent to the signed-in user's phone.

A verification code is never shown again: whoever reads the page (a
shared phone, a screen over a shoulder) must not sign in with it."""
from .portal import portal_route

PAGE_SIZE = 20


def page_number(value):
    "The page asked for, the first for anything not a page number"
    # A huge offset would overflow in SQL.
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return max(int(value), 1)
    return 1


@portal_route('/messages')
def messages(portal):
    "The user's messages, newest first, a page at a time"
    Message = portal.pool.get('laisui.sms.message')
    # The phone is the user's own: nobody else's message has it.
    domain = [('phone', '=', portal.user.phone)]
    total = Message.search_count(domain) if portal.user.phone else 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page_number(portal.request.args.get('page')), pages)
    messages = Message.search(domain,
        order=[('create_date', 'DESC'), ('id', 'DESC')],
        offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE) if total else []
    return portal.render('laisui_base/messages.html', messages=messages,
        page=page, pages=pages, total=total)
