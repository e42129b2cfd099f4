# Kentongan service image: the API, scheduler and dispatcher all run from the same code.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY broadcasts ./broadcasts
COPY models ./models
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["sh", "-c", "kentongan db upgrade && kentongan serve --host 0.0.0.0 --port 8000"]
