# The moderation API: `moderation serve` under gunicorn, as in the README.
# On first start with an empty /data volume it trains a model from training_data/ (a minute or
# two), then serves; mount public corpora at /corpora and set MODERATION_DATA_DIR to use them.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MODERATION_MODEL_DIR=/data/models \
    MODERATION_DATABASE_URL=sqlite:////data/moderation.sqlite3

RUN useradd --create-home --uid 10001 moderation \
    && mkdir -p /data \
    && chown moderation:moderation /data

WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir classifier service policies moderation \
    && touch classifier/__init__.py service/__init__.py policies/__init__.py moderation/__init__.py \
    && pip install . \
    && pip uninstall --yes comment-moderation \
    && rm -rf classifier service policies moderation
COPY . .
# The app's instance folder (created at start) must be writable by the service's user.
RUN pip install --no-deps -e . \
    && mkdir -p /app/instance \
    && chown moderation:moderation /app/instance

# Numeric, so that a host (or Kubernetes' runAsNonRoot) can tell it is not root.
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["moderation", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
