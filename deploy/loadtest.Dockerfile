# syntax=docker/dockerfile:1
# The read side's load-test harness (tests/load: seed, run, report) on top of the Bahi image: the
# same venv plus the lock's `load` group (hdrhistogram, matplotlib), so it seeds through the
# command service's own code and reports in the cluster or compose network it runs in.
# Build from the repository root, after the Bahi image:
#   docker build -f deploy/loadtest.Dockerfile -t bahi-load .            (BAHI_IMAGE: bahi:local by default)
# Any base with Python 3.11 works as for deploy/Dockerfile; BASE must be the one bahi was built from.
ARG BASE=python:3.11-slim
ARG BAHI_IMAGE=bahi:local

FROM ${BAHI_IMAGE} AS app

FROM ${BASE} AS build
ARG WHEELS=
ENV UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 UV_COMPILE_BYTECODE=1
RUN python3 -m venv /opt/uv \
 && /opt/uv/bin/pip install -q --no-cache-dir --disable-pip-version-check \
      ${WHEELS:+--no-index --find-links "$WHEELS"} uv==0.13.9
COPY --from=app /app/.venv /app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv export --frozen --only-group load --no-emit-project -q -o /tmp/load.txt \
 && /opt/uv/bin/uv pip install -q --python /app/.venv/bin/python --require-hashes \
      ${WHEELS:+--no-index --find-links "$WHEELS"} -r /tmp/load.txt

FROM ${BAHI_IMAGE}
COPY --from=build /app/.venv /app/.venv
COPY tests/__init__.py ./tests/__init__.py
COPY tests/load/ ./tests/load/
# Reports go to /reports (a volume); matplotlib's cache to a writable place of the read-only image.
ENV MPLCONFIGDIR=/tmp/matplotlib
CMD ["python", "-m", "tests.load", "--help"]
