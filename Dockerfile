# syntax=docker/dockerfile:1
# One image for every service (DESIGN §1); each compose service / Kubernetes Deployment runs another
# command: `gongkai serve-one <service> --host 0.0.0.0 --port 8000`, `gongkai migrate`,
# `gongkai gateway --host 0.0.0.0 --port 8000`; the default is the embedded mode (all five on :8000).
#   docker build -t gongkai:0.1.0 .
# Checked statically by tests/deploy/test_compose.py (multi-stage, non-root, no build tools, HEALTHCHECK).

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# --- build: a virtual environment holding the project and its dependencies (no test extra).
# Every dependency ships manylinux wheels for CPython 3.11 (amd64 and arm64), so no compiler is needed.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/gongkai
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
# Not editable: the code lands in the venv's site-packages, byte-compiled by pip, so the final stage
# needs nothing else and never writes a .pyc (its root file system may be read-only).
RUN /opt/gongkai/bin/pip install .

# --- final: the venv alone on a clean slim base, run by a fixed non-root user.
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="gongkai" \
      org.opencontainers.image.description="Gongkai (公开): back-end of 政务公开 work — five services, one image"
RUN groupadd --system --gid 10001 gongkai \
    && useradd --system --uid 10001 --gid gongkai --home-dir /var/lib/gongkai --no-create-home \
       --shell /usr/sbin/nologin gongkai \
    && install -d -o gongkai -g gongkai -m 0750 /var/lib/gongkai
COPY --from=build /opt/gongkai /opt/gongkai
# Everything the services write goes under GONGKAI_DATA_DIR (a volume): the embedded mode's SQLite
# files and the uploaded files of requests, scoring and accountability. Uploads being received are
# spooled to /tmp (mount a tmpfs there when the root file system is read-only).
ENV PATH=/opt/gongkai/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GONGKAI_DATA_DIR=/var/lib/gongkai \
    GONGKAI_REQUESTS_STORAGE_DIR=/var/lib/gongkai/attachments \
    GONGKAI_SCORING_STORAGE_DIR=/var/lib/gongkai/scoring-attachments \
    GONGKAI_ACCOUNTABILITY_STORAGE_DIR=/var/lib/gongkai/accountability-evidence
WORKDIR /var/lib/gongkai
VOLUME ["/var/lib/gongkai"]
USER 10001:10001
EXPOSE 8000
# Liveness only (slim has no curl); compose and Kubernetes probe /readyz for readiness themselves.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]
