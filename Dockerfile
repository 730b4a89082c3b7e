# syntax=docker/dockerfile:1

# Threat Aggregator container image.
#
# Both stages use the same Node image so the better-sqlite3 native addon
# compiled in "build" matches the ABI of the Node that runs it. Node 22 is an
# LTS line that CI tests (matrix 20 and 22); bump both stages together.
ARG NODE_VERSION=22

# ---------------------------------------------------------------------------
# build: compile the native addon and the TypeScript, then drop dev deps.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build

# Toolchain for node-gyp, used when no prebuilt better-sqlite3 binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so this layer is reused until the lockfile changes.
# --ignore-scripts: the root "prepare" script (tsc) cannot run yet because the
# sources are not copied; better-sqlite3's install script is run explicitly
# by the rebuild right after. NODE_ENV is left unset here so dev
# dependencies (typescript) are installed.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts \
 && npm rebuild better-sqlite3

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Build dist/, then remove dev dependencies; the compiled addon stays in place.
RUN npm run build \
 && npm prune --omit=dev

# ---------------------------------------------------------------------------
# run: production node_modules, dist/ (npm run build copies the web assets), bin/ and
# package.json only.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS run

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=/data/threats.db

WORKDIR /app

# Application files stay owned by root: the service user can read, not modify.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin

# The database lives on a volume. Create and chown /data before VOLUME so a
# new named volume is initialised with node's ownership.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# Unprivileged user shipped by the official Node images (uid 1000).
USER node

EXPOSE 8000

# Slim images have no curl: probe /healthz with Node's built-in fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Exec form, no npm or shell in between: the base image's entrypoint execs
# this command, so node is PID 1 and `docker stop` delivers SIGTERM straight
# to the service, which shuts down cleanly.
STOPSIGNAL SIGTERM
CMD ["node", "bin/threat-aggregator", "serve"]
