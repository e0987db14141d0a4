# syntax=docker/dockerfile:1
# The Reservation Service image: `npm run build` output run by Node 20, as a non-root user.
# The native Kafka client (@confluentinc/kafka-javascript) is compiled in the build stage against Debian's
# libraries (CKJS_LINKING=dynamic, as in .ci/run); the runtime stage carries only those libraries.
# The image expects KAFKA_BROKERS (without it the service would try to start a local broker, which needs
# Java and Maven: not in this image). Configuration: spec §9 and k8s/base/reservation/config.yaml.

FROM node:20-bookworm AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev \
    pkg-config build-essential python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV CKJS_LINKING=dynamic
# Dependencies first: this layer is rebuilt only when the lockfile changes.
COPY package.json package-lock.json ./
# npm ci runs it as postinstall; here it only checks that the client loads (built with CKJS_LINKING=dynamic)
COPY tools/native-client ./tools/native-client
RUN npm ci --no-audit --no-fund
# The folders tsconfig.build.json compiles.
COPY tsconfig.json tsconfig.build.json ./
COPY errors ./errors
COPY kafka ./kafka
COPY logging ./logging
COPY topology ./topology
COPY state ./state
COPY processors ./processors
COPY schemas ./schemas
COPY service ./service
COPY tools ./tools
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && node -e "require('@confluentinc/kafka-javascript'); require('classic-level')"

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    libssl3 zlib1g libzstd1 liblz4-1 libsasl2-2 libcurl4 ca-certificates tini \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 reservation \
  && useradd --system --uid 10001 --gid reservation --home-dir /app --no-create-home \
    --shell /usr/sbin/nologin reservation \
  && mkdir -p /var/lib/reservation \
  && chown 10001:10001 /var/lib/reservation
WORKDIR /app
ENV NODE_ENV=production \
  STATE_DIR=/var/lib/reservation \
  HTTP_HOST=0.0.0.0 \
  HTTP_PORT=8080
# Owned by root and read-only to the service user: the running process cannot change its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001
EXPOSE 8080
# tini as PID 1 forwards SIGTERM to Node (which drains, commits and exits) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/service/main.js"]
