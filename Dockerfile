# FailSafe: one image for the web, the worker and the release step (see Procfile, docs/deploy.md).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAILSAFE_ENV=production \
    FAILSAFE_LOG_FORMAT=json \
    FAILSAFE_DATA_DIR=/data

# WeasyPrint's native libraries (Pango, HarfBuzz, fontconfig) and fonts for the PDF report.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fonts-dejavu-core shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The pinned lock first, so the dependency layer is cached across code changes.
COPY requirements.lock ./
# Limitation: the lock is `pip freeze` of the development venv, so it pins the test tools too;
# a pip-compile of the runtime dependencies only (with --generate-hashes) would slim the image.
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps .

# A non-root user; the process connects to PostgreSQL as the app role (FAILSAFE_APP_DATABASE_URL
# or FAILSAFE_APP_DB_PASSWORD), never as the owner, except for `failsafe db upgrade`.
RUN useradd --system --uid 10001 --home-dir /home/failsafe --create-home failsafe \
    && mkdir -p /data && chown failsafe:failsafe /data
USER failsafe
VOLUME ["/data"]

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=4)"

CMD ["sh", "-c", "exec failsafe serve --host 0.0.0.0 --port ${PORT:-8000} --workers ${WEB_CONCURRENCY:-1}"]
