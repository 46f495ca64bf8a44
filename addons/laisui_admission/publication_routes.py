# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the public reads of a round's results, without signing in: the
rounds published, the publication (公示) of a round's run in force with
the search of a family's own row (publication_search), and the
verification of a place notice."""
import hashlib
import threading
import time
import urllib.parse
from collections import OrderedDict
from http import HTTPStatus

from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.modules.laisui_base.http_headers import (
    PAGE_HEADERS, PUBLIC_PAGE_HEADERS)
from trytond.modules.laisui_base.portal import portal_route
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.transaction import Transaction

from . import notice, publication_search as search
from .exceptions import SearchError
from .round import publication_started
from .statement import admission_label

PAGE_SIZE = 50


def _page_number(value):
    """The page asked for, the first for anything not a page number; past
    the last for a number too long to be a page (capped: never an offset
    of SQL, as the last page is shown for any page past it)"""
    if not (value and value.isascii() and value.isdigit()):
        return 1
    return max(int(value), 1) if len(value) < 10 else 10 ** 9


class _PageCache:
    "A small LRU of rendered pages whose entries expire, per process"

    def __init__(self, size, ttl):
        self.size = size
        self.ttl = ttl
        self._entries = OrderedDict()
        # Threaded servers share the process.
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key, value):
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


# The publication's pages as rendered: (ETag, body). A published run never
# changes, so the key holds what may change the page: the run in force and
# the stamps of it and its round, the page and the rows it highlights. An
# entry lives 5 minutes at most for what the key does not hold (a school
# renamed). 512 pages of 50 rows are some 5 to 8 MiB (10 to 15 KiB each):
# every page of a round of 25,600 rows, or its busy pages and the pages of
# rows searched.
_publication_pages = _PageCache(512, 5 * 60)


def _publication_in_force(round_id):
    """(publication start, run id, round stamp, run stamp, round year) of
    the round's published run, or None; one query, as every view of the
    page asks"""
    pool = Pool()
    Round = pool.get('laisui.admission.round')
    Run = pool.get('laisui.admission.run')
    round_ = Round.__table__()
    run = Run.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*round_.join(run,
            condition=(run.round == round_.id)
            & (run.state == 'published'))
        .select(round_.publication_start, run.id,
            Coalesce(round_.write_date, round_.create_date),
            Coalesce(run.write_date, run.create_date), round_.year,
            where=round_.id == round_id,
            order_by=[run.version.desc, run.id.desc], limit=1))
    return cursor.fetchone()


def _pages(total):
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _page_of(rank):
    "The page that lists the row of rank (a run ranks its rows 1 to n)"
    return (rank - 1) // PAGE_SIZE + 1


def _render_publication(portal, round_id, run_id, page, total, mine=()):
    """(ETag, body) of the page of the run's publication of total results,
    the rows of the result ids mine highlighted"""
    pool = portal.pool
    Round = pool.get('laisui.admission.round')
    Run = pool.get('laisui.admission.run')
    Result = pool.get('laisui.admission.run.result')
    run = Run(run_id)
    domain = [('run', '=', run.id)]
    results = Result.search(domain, offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE)
    round_ = Round(round_id)
    body = portal.render_text('laisui_admission/publication.html',
        round=round_, run=run, results=results, page=page, mine=mine,
        score_label=admission_label(round_),
        pages=_pages(total), total=total,
        changes=Result.search(domain + [('changed', '=', True)])
        if run.base else []).encode('utf-8')
    # From the bytes: the same in every process, and new whenever the
    # page reads differently.
    return hashlib.sha256(body).hexdigest()[:32], body


def _search_failed(portal, round_id, message, status):
    """The search form again with what was typed (escaped) and why nothing
    is shown: a small page, not a page of the list, as anyone may ask for
    any number of them"""
    Round = portal.pool.get('laisui.admission.round')
    args = portal.request.args
    typed = {f: (args.get(f) or '')[:search.MAX_TYPED]
        for f in ('number', 'name', 'birth')}
    response = Response(portal.render_text(
            'laisui_admission/publication_search.html',
            round=Round(round_id), error=message, typed=typed),
        status=status, content_type='text/html; charset=utf-8')
    # Not found is an answer as public as the list; bad input is not kept.
    return portal.finish(response, headers=PUBLIC_PAGE_HEADERS
        if status == HTTPStatus.OK else PAGE_HEADERS)


@portal_route('/admission/rounds', login=False, public=True)
def rounds(portal):
    "The rounds whose results the public may read now, the latest first"
    pool = portal.pool
    Run = pool.get('laisui.admission.run')
    in_force = {}
    # The latest version of a round is the one in force.
    for run in Run.search([('state', '=', 'published')],
            order=[('version', 'ASC'), ('id', 'ASC')]):
        if run.round.publication_started():
            in_force[run.round.id] = run
    runs = sorted(in_force.values(),
        key=lambda r: (r.round.year, r.round.id), reverse=True)
    response = Response(portal.render_text('laisui_admission/rounds.html',
            runs=runs), content_type='text/html; charset=utf-8')
    return portal.finish(response, headers=PUBLIC_PAGE_HEADERS)


@portal_route('/admission/rounds/<int:round_id>/results', login=False,
    public=True)
def publication(portal, round_id):
    """The list of the run in force, 50 rows a page; with a search
    (?number=, or ?name=&birth=), the page of the row found, highlighted"""
    pool = portal.pool
    Result = pool.get('laisui.admission.run.result')
    in_force = _publication_in_force(round_id)
    # Not cached: the page must appear when the publication starts.
    if not in_force or not publication_started(in_force[0]):
        return portal.render('laisui_base/error.html',
            status=HTTPStatus.NOT_FOUND,
            message=gettext('laisui_admission.msg_portal_not_published'))
    _, run_id, round_stamp, run_stamp, year = in_force
    key = (portal.database_name, round_id, run_id, str(round_stamp),
        str(run_stamp), Transaction().language)
    try:
        query = search.parse(portal.request.args)
    except SearchError as e:
        return _search_failed(
            portal, round_id, e.message, HTTPStatus.BAD_REQUEST)
    if query:
        found = search.find(run_id, year, query)
        if not found:
            return _search_failed(portal, round_id,
                gettext('laisui_admission.msg_search_not_found'),
                HTTPStatus.OK)
        # The key holds the rows found, not what was typed: no name nor
        # date is kept, and every way to find a row shares its entry.
        requested = _page_of(found[0][1])
        mine = tuple(i for i, rank in found if _page_of(rank) == requested)
    else:
        requested = _page_number(portal.request.args.get('page'))
        mine = ()
    entry = _publication_pages.get(key + (requested, mine))
    if entry is None:
        # Pages past the last show the last: one entry for all of them.
        total = Result.search_count([('run', '=', run_id)])
        page = min(requested, _pages(total))
        entry = _publication_pages.get(key + (page, mine))
        if entry is None:
            entry = _render_publication(
                portal, round_id, run_id, page, total, mine)
            _publication_pages.set(key + (page, mine), entry)
    etag, body = entry
    if portal.request.if_none_match.contains_weak(etag):
        response = Response(status=HTTPStatus.NOT_MODIFIED)
    else:
        response = Response(body, content_type='text/html; charset=utf-8')
    response.set_etag(etag)
    return portal.finish(response, headers=PUBLIC_PAGE_HEADERS)


@portal_route('/admission/verify/<token>', login=False)
def verify(portal, token):
    """The first links of place notices: the page of the notice's
    credential. A token printed before the credentials (result id and
    digest) opens the credential of its result while the run is in force;
    anything else is verified as a credential token."""
    result = notice.result_of(token)
    if result and result.school and result.run.state == 'published':
        return portal.redirect(notice.credential(result).verification_path)
    path = '/verify/' + token if token.isascii() else '/verify'
    return portal.redirect(urllib.parse.quote(path, safe='/.=-_'))
