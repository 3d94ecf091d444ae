# syntax=docker/dockerfile:1
# The moderation API: `moderation serve` under gunicorn, as in the README.
# On first start with an empty /data volume it trains a model from the team data installed with
# the package (a minute or two), then serves; mount public corpora at /corpora and set
# MODERATION_DATA_DIR to use them.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MODERATION_MODEL_DIR=/data/models \
    MODERATION_DATABASE_URL=sqlite:////data/moderation.sqlite3

# /app is where the service starts; an installed package's instance folder (made at start) is
# instance/ in the working directory, so it must be writable by the service's user.
RUN useradd --create-home --uid 10001 moderation \
    && mkdir -p /data /app/instance \
    && chown moderation:moderation /data /app/instance

# Dependencies first, in a layer of their own, so that code changes do not reinstall them.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; print(*tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt

# The package itself, a plain (not editable) install as from a wheel: the code, the gunicorn
# settings and the team's training data go into site-packages. The source is only mounted for
# the build, so the image holds no second copy of it.
RUN --mount=type=bind,target=/src,rw pip install /src

WORKDIR /app
# Numeric, so that a host (or Kubernetes' runAsNonRoot) can tell it is not root.
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["moderation", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
