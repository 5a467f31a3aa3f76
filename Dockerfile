# fairloop: one stateless process; run as many replicas as you like on one PostgreSQL (see docs/DEPLOY.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# a user of its own: the process needs no privilege and writes nothing outside /var/lib/fairloop
RUN groupadd --system fairloop && useradd --system --gid fairloop --home-dir /var/lib/fairloop --create-home fairloop

WORKDIR /srv/fairloop
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY schedules ./schedules
COPY fairloop ./fairloop
RUN pip install --no-compile . && rm -rf /root/.cache

USER fairloop
WORKDIR /var/lib/fairloop
# listen on every interface inside the container; the playground (loopback only) is off
ENV FAIRLOOP_HOST=0.0.0.0 \
    FAIRLOOP_PORT=3978 \
    FAIRLOOP_PLAYGROUND=0 \
    FAIRLOOP_LOG_FORMAT=json \
    FAIRLOOP_CONFIG=/etc/fairloop/fairloop.toml
EXPOSE 3978

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3978/readyz', timeout=2).status != 200)"]

CMD ["fairloop", "serve"]
