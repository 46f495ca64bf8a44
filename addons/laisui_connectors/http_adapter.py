# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HTTP/JSON adapter: paged incremental listing and per-person look-up.

The contract every source system is asked to follow is in
doc/http_contract.md. Transient failures (connection errors, timeouts,
5xx) are retried with exponential back-off; anything else stops the run.
"""
import time

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
        self.source = source
        self.base_url = (source.base_url or '').rstrip('/')
        self.session = requests.Session()
        self.session.headers['Accept'] = 'application/json'
        secret = source.secret()
        if source.username and secret:
            self.session.auth = (source.username, secret)
        elif secret:
            self.session.headers['Authorization'] = f'Bearer {secret}'

    def _error(self, name, **values):
        return SourceError(gettext(f'laisui_connectors.msg_source_{name}',
                source=self.source.rec_name, **values))

    def get(self, path, params=None):
        "The decoded JSON of one GET, retried when the failure is transient"
        url = f'{self.base_url}/{path.lstrip("/")}'
        retries = max(self.source.retries, 0)
        for attempt in range(retries + 1):
            try:
                response = self.session.get(url, params=params,
                    timeout=self.source.timeout)
            except requests.Timeout:
                error = self._error('timeout', timeout=self.source.timeout)
            except requests.ConnectionError:
                error = self._error('down')
            else:
                if response.status_code >= 500:
                    error = self._error('status',
                        status=response.status_code)
                elif response.status_code >= 400:
                    # Our request is wrong or not allowed: no retry helps.
                    raise self._error('status', status=response.status_code)
                else:
                    try:
                        return response.json()
                    except ValueError:
                        raise self._error('json')
            if attempt < retries:
                time.sleep(min(0.2 * 2 ** attempt, 5))
        raise error

    def pages(self, dataset, cursor, limit=None):
        """Records from `cursor` on, page by page, as (position, record);
        and the state whose cursor the run commits at the end.

        An incremental listing stops at the first page end past `limit`
        records (the next run goes on from there); a full refresh must be
        read whole, so it fails past the limit instead."""
        state = SyncState(cursor)

        def records():
            position = 0
            # A full refresh lists everything, but still pages by cursor.
            current = cursor if dataset.mode == 'incremental' else None
            while True:
                params = {'limit': self.source.page_size}
                if current:
                    params['cursor'] = current
                page = self.get(dataset.endpoint, params)
                if (not isinstance(page, dict)
                        or not isinstance(page.get('records'), list)):
                    raise self._error('json')
                for record in page['records']:
                    position += 1
                    if not isinstance(record, dict):
                        raise self._error('json')
                    yield position, record
                state.pages += 1
                following = page.get('next_cursor')
                if following is not None:
                    state.cursor = str(following)
                if not page.get('has_more'):
                    return
                if limit and position >= limit:
                    if dataset.mode == 'full':
                        raise self._error('too_many', limit=limit)
                    state.more = True
                    return
                if following is None or str(following) == current:
                    # The source sent the same page again: following it
                    # would loop for ever.
                    raise self._error('repeated_page', cursor=current)
                current = str(following)
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
