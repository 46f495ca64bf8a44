# gunicorn settings of the trytond web server, shared by scripts/prod.sh and
# docker-compose.yml (gunicorn -c config/gunicorn.conf.py
# trytond.application:app). Measured on 2 cores: scripts/bench/load.py.
import os

bind = os.environ.get('LAISUI_BIND', '127.0.0.1:8000')
# One process per core: -w 4 on 2 cores made pages 40 % slower. Threads
# overlap the waits on PostgreSQL; none is held by a long poll ([bus] is
# off in production.conf) nor by a throttled login (no sleeps).
workers = int(os.environ.get('LAISUI_WORKERS', 2))
threads = 4
worker_class = 'gthread'
# Evidence uploads of 20 MiB over slow mobile links are read by nginx
# first (it buffers request bodies), so a request here is never slow.
timeout = 120
graceful_timeout = 30
# nginx keeps connections to us open (upstream keepalive).
keepalive = 75
# Request metrics: one JSON line per request, the time in milliseconds.
# The path without its query string, and no cookie nor header that could
# carry personal data.
accesslog = os.environ.get('LAISUI_ACCESS_LOG', '-')
access_log_format = (
    '{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, '
    '"request_id": "%({x-request-id}i)s"}')
errorlog = os.environ.get('LAISUI_ERROR_LOG', '-')
# Managed by signals (scripts/prod.sh, docker): no control socket, which
# two instances on one host would share.
control_socket_disable = True
