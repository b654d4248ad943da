# CoachHub: one image for the web app (gunicorn), the Celery worker and beat, and manage.py.
FROM python:3.11-slim-bookworm

# WeasyPrint loads Pango, HarfBuzz and fontconfig at run time (through cffi, no compiler needed).
# Fonts: DejaVu as the fallback, Liberation for Arial/Helvetica metrics. The fontconfig package
# builds the font cache now, not in every process.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
        fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

# The code runs from /app (settings find templates/, static/ and var/ next to it), so /app is on
# the path for gunicorn and celery too. DEBUG=false so the image is never in debug mode by accident.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DEBUG=false \
    PORT=8000

RUN groupadd --system --gid 1000 coachhub \
 && useradd --system --uid 1000 --gid coachhub --create-home coachhub

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

# Static files into var/static, served by WhiteNoise (manifest storage, as DEBUG=false). Importing
# the settings needs no database or Redis, nor the secrets (manage.py gives this command throwaway ones).
# The code and static files stay root-owned; the app user may write only var/ (media, mail,
# the beat schedule). Named volumes mounted on var/media and var/mail inherit this owner.
RUN python manage.py collectstatic --noinput \
 && mkdir -p var/media var/mail \
 && chown coachhub:coachhub var var/media var/mail

USER coachhub

EXPOSE 8000

# Default command: the web app. docker-compose.yml runs the worker, beat and migrations from the same image.
CMD ["sh", "-c", "exec gunicorn coachhub.wsgi --bind 0.0.0.0:${PORT} --workers 3 --access-logfile -"]
