# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""GET /<database>/laisui/health: whether this server can do its work.

For the reverse proxy and the monitoring of the same host: only clients on
loopback or in ``[laisui] health_networks`` get an answer, the others a 404
as for a database without laisui_base. The JSON says how long the database
takes to answer, how many queued tasks wait and since when, the state of
the SMS outbox and, for the HTTP provider, whether its gateway answers;
counts and timings only, nothing personal, no address of the gateway.
"""
import datetime as dt
import functools
import ipaddress
import json
import logging
import threading
import time
from http import HTTPStatus

import requests
from sql import Null
from sql.aggregate import Count
from sql.conditionals import Coalesce
from werkzeug.exceptions import HTTPException

import trytond
import trytond.config as config
from trytond.protocols.wrappers import Response, abort, with_pool
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import clock
from .sms_provider import PROVIDERS, SECTION

logger = logging.getLogger(__name__)

NETWORKS = '127.0.0.0/8,::1/128'
# A poll storm must not become a storm on the SMS gateway: one probe per
# process every PROBE_TTL seconds, the other polls get the last result.
PROBE_TTL = 10
_probe_lock = threading.Lock()
_probes = {}


@functools.lru_cache(maxsize=8)
def _networks(value):
    networks = []
    for cidr in filter(None, map(str.strip, value.split(','))):
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            logger.warning("[laisui] health_networks: bad %r", cidr)
    return networks


def allowed(address):
    "Whether the client at address may read the health"
    try:
        address = ipaddress.ip_address(address or '')
    except ValueError:
        return False
    # ::ffff:127.0.0.1 from a dual-stack listener is 127.0.0.1.
    address = getattr(address, 'ipv4_mapped', None) or address
    networks = _networks(
        config.get('laisui', 'health_networks', default=NETWORKS) or '')
    return address.is_loopback or any(address in n for n in networks)


def _ms(start):
    return round((time.monotonic() - start) * 1000, 1)


def _queue(pool, cursor):
    Queue = pool.get('ir.queue')
    table = Queue.__table__()
    # ir.queue stamps its tasks with the server's naive local time.
    now = dt.datetime.now()
    pending = (table.dequeued_at == Null) & (table.finished_at == Null)
    cursor.execute(*table.select(Count(table.id), where=pending))
    count, = cursor.fetchone()
    # A task scheduled for later is not late before its time.
    due = Coalesce(table.scheduled_at, table.enqueued_at)
    cursor.execute(*table.select(table.enqueued_at, table.scheduled_at,
            where=pending & (due <= now), order_by=[due.asc], limit=1))
    row = cursor.fetchone()
    oldest = None
    if row:
        oldest = round(
            max((now - (row[1] or row[0])).total_seconds(), 0), 1)
    limit = config.getfloat('laisui', 'health_queue_age', default=300)
    return {
        'ok': oldest is None or oldest <= limit,
        'pending': count,
        'oldest_s': oldest,
        }


def _outbox(pool):
    Message = pool.get('laisui.sms.message')
    hour_ago = clock.now() - dt.timedelta(hours=1)
    return {
        'pending': Message.search_count([('state', '=', 'pending')]),
        'failed_last_hour': Message.search_count([
                ('state', '=', 'failed'),
                ('write_date', '>=', hour_ago),
                ]),
        }


@with_pool
def _local(request, pool):
    "The database, queue and outbox parts, or None for the database down"
    try:
        pool.get('laisui.sms.message')
    except KeyError:
        # Routes are global to the process: not this database.
        abort(HTTPStatus.NOT_FOUND)
    start = time.monotonic()
    try:
        with Transaction().start(
                pool.database_name, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute('SELECT 1')
            cursor.fetchone()
            database = {'ok': True, 'ms': _ms(start)}
            return database, _queue(pool, cursor), _outbox(pool)
    except Exception:
        logger.warning(
            "health: database %s failed", pool.database_name, exc_info=True)
        return {'ok': False, 'ms': _ms(start)}, None, None


def probe_gateway(url, timeout):
    """{"ok", "ms"} of one cheap request to the gateway: any HTTP answer
    means reachable. Cached PROBE_TTL seconds per url."""
    cached = _probes.get(url)
    if cached and time.monotonic() - cached[0] < PROBE_TTL:
        return dict(cached[1])
    # One probe at a time; while it runs the others keep the last result.
    if not _probe_lock.acquire(blocking=cached is None):
        return dict(cached[1])
    try:
        cached = _probes.get(url)
        if cached and time.monotonic() - cached[0] < PROBE_TTL:
            return dict(cached[1])
        start = time.monotonic()
        try:
            requests.head(url, timeout=timeout, allow_redirects=False).close()
            ok = True
        except requests.RequestException as e:
            # The exception's text may hold the url and its credentials.
            logger.warning("health: SMS gateway unreachable: %s",
                type(e).__name__)
            ok = False
        result = {'ok': ok, 'ms': _ms(start)}
        _probes[url] = (time.monotonic(), result)
        return dict(result)
    finally:
        _probe_lock.release()


def _sms(outbox):
    provider = config.get(SECTION, 'provider', default='dev')
    gateway, url = None, config.get(SECTION, 'url')
    if provider == 'http' and url:
        gateway = probe_gateway(url, config.getfloat(
                SECTION, 'health_timeout', default=2))
    elif provider == 'http':
        gateway = {'ok': False, 'ms': 0.0}
    sms = {
        'ok': provider in PROVIDERS and (gateway is None or gateway['ok']),
        'provider': provider,
        'pending': 0,
        'failed_last_hour': 0,
        'gateway': gateway,
        }
    sms.update(outbox or {})
    return sms


@app.route('/<database_name>/laisui/health', methods={'GET'})
def health(request, database_name):
    if not allowed(request.remote_addr):
        abort(HTTPStatus.NOT_FOUND)
    try:
        database, queue, outbox = _local(request, database_name)
    except HTTPException:
        raise
    except Exception:
        # with_pool could not reach the database to load its pool.
        logger.warning(
            "health: database %s failed", database_name, exc_info=True)
        database, queue, outbox = {'ok': False, 'ms': 0.0}, None, None
    # After the transaction: the database waits for no network call.
    sms = _sms(outbox)
    queue = queue or {'ok': False, 'pending': 0, 'oldest_s': None}
    if not database['ok']:
        status = 'down'
    elif queue['ok'] and sms['ok']:
        status = 'ok'
    else:
        status = 'degraded'
    response = Response(json.dumps({
                'status': status,
                'database': database,
                'queue': queue,
                'sms': sms,
                'version': trytond.__version__,
                }), content_type='application/json',
        status=HTTPStatus.SERVICE_UNAVAILABLE if status == 'down'
        else HTTPStatus.OK)
    response.headers['Cache-Control'] = 'no-store'
    return response
