FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY plugins ./plugins
COPY migrations ./migrations
COPY tenants ./tenants
RUN pip install --no-cache-dir -e ".[server]"
ENV QINGQIAN_TENANTS_DIR=/app/tenants
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "core:create_app()"]
