# One image for every service (DESIGN §1); each Deployment / compose service runs another command.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
USER 65534:65534
EXPOSE 8000
CMD ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]
