# Ladder's HTTP server (health checks, Slack events, Teams bot endpoint).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/app/var
WORKDIR /app

COPY requirements.lock pyproject.toml README.md ./
RUN pip install --disable-pip-version-check -r requirements.lock

COPY . .
RUN pip install --disable-pip-version-check --no-deps . \
    && useradd --create-home --uid 10001 ladder \
    && mkdir -p /app/var && chown -R ladder:ladder /app/var

USER ladder
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/readyz', timeout=4).status == 200 else 1)"
CMD ["python", "app.py", "serve", "--host", "0.0.0.0", "--port", "3000"]
