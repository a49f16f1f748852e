# One image for web (gunicorn), worker and beat (celery). See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RENKEI_VAR_DIR=/app/var

WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY apps ./apps
RUN pip install .

COPY . .
# Translations compiled with polib (no gettext in the image); static files collected for
# whitenoise. Build-time only: the dev settings need no secret.
RUN DJANGO_SETTINGS_MODULE=portal.settings.dev python manage.py compile_translations \
 && DJANGO_SETTINGS_MODULE=portal.settings.dev python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app renkei \
 && mkdir -p /app/var && chown -R renkei /app/var

USER renkei
ENV DJANGO_SETTINGS_MODULE=portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
