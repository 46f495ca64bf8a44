# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64

from trytond.pool import Pool


def make_client(name="市来穗局数据平台", scopes=('points:read',),
        rate_limit=None):
    "A client with the scopes: (client_id, secret)"
    pool = Pool()
    Client = pool.get('laisui.api.client')
    Scope = pool.get('laisui.api.scope')
    values = {
        'name': name,
        'scopes': [('add', [s.id for s in Scope.search(
                            [('code', 'in', list(scopes))])])],
        }
    if rate_limit:
        values['rate_limit'] = rate_limit
    client, = Client.create([values])
    return client.client_id, client.make_secret()


def basic(client_id, secret):
    token = base64.b64encode(f'{client_id}:{secret}'.encode()).decode()
    return {'Authorization': f'Basic {token}'}
