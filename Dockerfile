# newsworker worker image: non-root, spaCy model baked in (a pip dependency), health check.
# BASE_IMAGE: any Debian-like image with Python 3.11 as `python` and `pip` (default: the
# official one; docs/operations.md says how it was built and run here with a local base).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY workers ./workers
COPY topics ./topics
RUN pip install --prefix=/install .

FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    NEWSWORKER_WEB_ENABLED=true \
    NEWSWORKER_WEB_BIND=0.0.0.0 \
    NEWSWORKER_WEB_PORT=6066 \
    NEWSWORKER_DATA_DIR=/tmp/newsworker-data \
    NEWSWORKER_LOG_FORMAT=json
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin newsworker
COPY --from=build /install /usr/local
# Fail the build if the model cannot be loaded: nothing is fetched at run time.
RUN python -c "from workers.adapters.spacy_ner import NerModel; NerModel()"
# The image ships the worker only: the dev stack, corpus generator and fakes stay out.
RUN python -c "import importlib.util as u, sys; sys.exit(u.find_spec('workers.devtools') is not None)"
USER 10001
WORKDIR /tmp
EXPOSE 6066
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6066/healthz', timeout=2)"
ENTRYPOINT ["newsworker"]
CMD ["worker"]
