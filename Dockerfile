# Production image: trytond 8.0 + the Laisui modules + the sao web client.
# Used by docker-compose.yml for the trytond (gunicorn), trytond-cron and
# trytond-worker services.

# --- sao (Tryton web client, tryton-sao 8.0.x from npm) ----------------------
FROM node:20-bookworm-slim AS sao
WORKDIR /build
RUN npm pack --silent tryton-sao@8.0 \
    && tar -xzf tryton-sao-*.tgz \
    && cd package \
    && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund \
    && touch custom.js custom.css \
    # bpmn-js and elkjs for the workflow designer page, beside sao
    # (scripts/lib.sh)
    && mkdir -p laisui && cd laisui \
    && npm pack --silent bpmn-js@18.31.1 \
    && tar -xzf bpmn-js-*.tgz && mv package bpmn-js && rm bpmn-js-*.tgz \
    && npm pack --silent elkjs@0.12.1 \
    && tar -xzf elkjs-*.tgz && mv package elkjs && rm elkjs-*.tgz

# --- runtime -----------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# CJK fonts and pango for WeasyPrint (HTML -> PDF reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /var/lib/trytond trytond \
    && install -d -o trytond -g trytond /var/lib/trytond/db

WORKDIR /opt/laisui
COPY pyproject.toml requirements.txt ./
COPY addons ./addons
# requirements.txt pins the versions (constraints file).
RUN pip install -c requirements.txt '.[server]'
COPY config ./config
COPY --from=sao /build/package /var/lib/trytond/www

ENV TRYTOND_CONFIG=/opt/laisui/config/production.conf \
    TRYTOND_DATABASE__PATH=/var/lib/trytond/db \
    TRYTOND_WEB__ROOT=/var/lib/trytond/www \
    PYTHONOPTIMIZE=1

USER trytond
VOLUME ["/var/lib/trytond/db"]
EXPOSE 8000
CMD ["gunicorn", "-c", "/opt/laisui/config/gunicorn.conf.py", "-b", "0.0.0.0:8000", "trytond.application:app"]
