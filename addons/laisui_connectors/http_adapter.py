# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HTTP/JSON adapter: paged incremental listing and per-person look-up.

The contract every source system is asked to follow is in
doc/http_contract.md. Transient failures (connection errors, timeouts,
5xx) are retried with exponential back-off; anything else stops the run.
"""
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from trytond.i18n import gettext

from .exceptions import SourceError


class SyncState:
    """Where the listing got to; the run commits `cursor` when it succeeds.
    `more`: the run stopped at its row limit with pages left to read."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.pages = 0
        self.more = False


class HttpAdapter:

    def __init__(self, source):
        # Read here, in the run's thread: pages are fetched in another
        # one, which has no transaction to read the source with.
        self.name = source.rec_name
        self.base_url = (source.base_url or '').rstrip('/')
        self.timeout = source.timeout
        self.retries = max(source.retries, 0)
        self.page_size = source.page_size
        self.session = requests.Session()
        self.session.headers['Accept'] = 'application/json'
        secret = source.secret()
        if source.username and secret:
            self.session.auth = (source.username, secret)
        elif secret:
            self.session.headers['Authorization'] = f'Bearer {secret}'

    def _error(self, name, **values):
        return SourceError(gettext(f'laisui_connectors.msg_source_{name}',
                source=self.name, **values))

    def get(self, path, params=None):
        "The decoded JSON of one GET, retried when the failure is transient"
        return self._outcome(self._fetch(path, params))

    def _fetch(self, path, params):
        """(True, decoded JSON) or (False, (message name, values)) of one
        GET with its retries; safe in any thread."""
        url = f'{self.base_url}/{path.lstrip("/")}'
        for attempt in range(self.retries + 1):
            try:
                response = self.session.get(url, params=params,
                    timeout=self.timeout)
            except requests.Timeout:
                error = ('timeout', {'timeout': self.timeout})
            except requests.ConnectionError:
                error = ('down', {})
            else:
                if response.status_code >= 500:
                    error = ('status', {'status': response.status_code})
                elif response.status_code >= 400:
                    # Our request is wrong or not allowed: no retry helps.
                    return False, ('status',
                        {'status': response.status_code})
                else:
                    try:
                        return True, response.json()
                    except ValueError:
                        return False, ('json', {})
            if attempt < self.retries:
                time.sleep(min(0.2 * 2 ** attempt, 5))
        return False, error

    def _outcome(self, outcome):
        done, value = outcome
        if not done:
            name, values = value
            raise self._error(name, **values)
        return value

    def pages(self, dataset, cursor, limit=None):
        """Records from `cursor` on, page by page, as (position, record);
        and the state whose cursor the run commits at the end.

        An incremental listing stops at the first page end past `limit`
        records (the next run goes on from there); a full refresh must be
        read whole, so it fails past the limit instead. The next page is
        fetched while the records of this one are cleaned and staged."""
        state = SyncState(cursor)
        endpoint = dataset.endpoint
        full = dataset.mode == 'full'

        def params(current):
            params = {'limit': self.page_size}
            if current:
                params['cursor'] = current
            return params

        def records():
            position = 0
            # A full refresh lists everything, but still pages by cursor.
            current = None if full else cursor
            ahead = ThreadPoolExecutor(1)
            try:
                request = ahead.submit(self._fetch, endpoint,
                    params(current))
                while True:
                    page = self._outcome(request.result())
                    if (not isinstance(page, dict)
                            or not isinstance(page.get('records'), list)):
                        raise self._error('json')
                    following = page.get('next_cursor')
                    if following is not None:
                        following = str(following)
                    last = (not page.get('has_more')
                        or (limit and position + len(page['records'])
                            >= limit))
                    if not last and following not in {None, current}:
                        request = ahead.submit(self._fetch, endpoint,
                            params(following))
                    for record in page['records']:
                        position += 1
                        if not isinstance(record, dict):
                            raise self._error('json')
                        yield position, record
                    state.pages += 1
                    if following is not None:
                        state.cursor = following
                    if not page.get('has_more'):
                        return
                    if limit and position >= limit:
                        if full:
                            raise self._error('too_many', limit=limit)
                        state.more = True
                        return
                    if following is None or following == current:
                        # The source sent the same page again: following
                        # it would loop for ever.
                        raise self._error('repeated_page', cursor=current)
                    current = following
            finally:
                # A failed run does not wait for a page it will not read.
                ahead.shutdown(wait=False, cancel_futures=True)
        return records(), state

    def lookup(self, dataset, id_number):
        "The records of one person, straight from the source"
        path = (dataset.lookup_endpoint or '').replace(
            '{id_number}', id_number)
        page = self.get(path)
        if (not isinstance(page, dict)
                or not isinstance(page.get('records'), list)
                or not all(isinstance(r, dict) for r in page['records'])):
            raise self._error('json')
        return page['records']
