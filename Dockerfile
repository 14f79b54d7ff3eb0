# Multi-stage build of diffusion-kafka-connect: a release binary on a slim base, run as a
# non-root user. Untested here (no Docker engine runs on our machines); the build steps are
# the ones CI runs.
FROM rust:1-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config python3 perl libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin diffusion-kafka-connect \
    && strip target/release/diffusion-kafka-connect

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/dkc --create-home dkc
COPY --from=build /src/target/release/diffusion-kafka-connect /usr/local/bin/
COPY config/ /etc/diffusion-kafka-connect/
USER dkc
WORKDIR /var/lib/dkc
# REST API (listeners=http://0.0.0.0:8083 in the worker properties to reach it from outside).
EXPOSE 8083
ENTRYPOINT ["diffusion-kafka-connect"]
CMD ["worker", "/etc/diffusion-kafka-connect/worker.properties"]
