# The service image: granian behind `annuaire serve`, PostgreSQL given by ANNUAIRE_DATABASE_URL.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY annuaire annuaire
COPY directory directory
COPY terminology terminology
COPY loaders loaders
COPY api api
COPY demo demo
RUN pip install --no-cache-dir . && useradd --create-home annuaire
USER annuaire
ENV ANNUAIRE_HOME=/home/annuaire/var
EXPOSE 8000
CMD ["annuaire", "serve", "--host", "0.0.0.0", "--port", "8000", "--demo"]
