# briefbot in a container: `docker build -t briefbot .`, then `docker run briefbot run` (the
# default) or any other command (`docker run --rm briefbot db upgrade`). compose.yaml runs it
# beside PostgreSQL; docs/deploy.md has the details.
#
# Configuration comes from BRIEFBOT_<SECTION>__<KEY> variables, or from a TOML file mounted into
# the container and named by BRIEFBOT_CONFIG (e.g. -v ./config.toml:/etc/briefbot/config.toml:ro
# -e BRIEFBOT_CONFIG=/etc/briefbot/config.toml); variables override the file.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the wheel, and a venv with the locked dependencies and that wheel -------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && python -m venv /opt/briefbot \
    && /opt/briefbot/bin/pip install --require-hashes --only-binary :all: -r requirements.lock \
    && /opt/briefbot/bin/pip install --no-deps /wheels/briefbot-*.whl \
    && /opt/briefbot/bin/pip check

# --- runtime: the venv only, run by an unprivileged user ----------------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 briefbot \
    && useradd --system --uid 10001 --gid briefbot --home-dir /var/lib/briefbot --create-home \
        --shell /usr/sbin/nologin briefbot
COPY --from=build /opt/briefbot /opt/briefbot
ENV PATH=/opt/briefbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BRIEFBOT_DATABASE__URL=sqlite+aiosqlite:////var/lib/briefbot/briefbot.db \
    BRIEFBOT_METRICS__HOST=0.0.0.0 \
    BRIEFBOT_METRICS__PORT=9464 \
    BRIEFBOT_SLACK__HOST=0.0.0.0
# The default SQLite database lives here: mount a volume on it, or use PostgreSQL.
WORKDIR /var/lib/briefbot
USER briefbot
# 9464: /metrics, /healthz and /readyz; 3000: Slack in HTTP mode; 8443: Telegram webhooks.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BRIEFBOT_METRICS__PORT', '9464'), timeout=4)"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
