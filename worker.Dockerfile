# The worker images of the SQS fleet, one target a worker (infra builds each as an asset at deploy: docs/aws.md).
# Build by hand from the repository root:
#   docker build -f worker.Dockerfile --target firm-worker -t callthemes-firm-worker .
#   docker build -f worker.Dockerfile --target theme-worker -t callthemes-theme-worker .
# A target's build stage runs scripts/build-worker-artifact.sh, the steps `pnpm rehearse` runs without Docker: the
# worker's production dependencies (pnpm deploy) under packages/<worker>, so the task's command is the
# repository-relative bin, and /app/.cache baked at build time (word vectors; DuckDB's httpfs/aws extensions from
# PyPI's pinned, checksummed wheels, never from DuckDB's site). BuildKit builds only the stages a target needs. The
# image copies it as root: uid 1000 reads the cache and writes only to /tmp and its home.
# infra/test/worker-artifacts.test.ts fails when this file and the rehearsal disagree.
FROM node:24-bookworm-slim AS workspace
# python3-pip downloads the extension wheels (pinned by sha256 in scripts/duckdb-extensions.txt).
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN npm i -g --no-audit --no-fund pnpm@11.29.0
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json turbo.json ./
COPY packages ./packages
COPY infra/package.json ./infra/package.json
COPY scripts ./scripts
RUN pnpm install --frozen-lockfile

FROM workspace AS firm-worker-build
RUN bash scripts/build-worker-artifact.sh firm-worker /out

FROM workspace AS theme-worker-build
RUN bash scripts/build-worker-artifact.sh theme-worker /out

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production CALLTHEMES_CACHE_DIR=/app/.cache
WORKDIR /app
# uid 1000 is the image's `node` user (numeric, so a task definition and the host agree); COPY stays root's.
USER 1000

# Exec form: SIGTERM (spot's two-minute notice) reaches node, not a shell.
FROM runtime AS firm-worker
COPY --from=firm-worker-build /out/ ./
CMD ["node", "packages/firm-worker/bin/firm-worker.js"]

FROM runtime AS theme-worker
# Two malloc arenas: lineage's worker thread then reuses the memory DuckDB freed after reading the quarter instead
# of growing arenas of its own (a 125k × 4096-d quarter with lineage: peak 3.9–4.1 → 3.75–3.90 GB; BENCHMARKS.md).
ENV MALLOC_ARENA_MAX=2
COPY --from=theme-worker-build /out/ ./
CMD ["node", "packages/theme-worker/bin/theme-worker.js"]
