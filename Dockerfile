# callthemes CLI image for the AWS Batch stage jobs (docs/aws.md). Build: docker build -t callthemes .
# Stage 1 compiles TypeScript and fetches DuckDB's httpfs/aws extensions (they cannot be fetched at run time:
# jobs reach only S3 and the inference services); stage 2 holds production dependencies and the build only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build \
 && node -e "const d=require('@duckdb/node-api');d.DuckDBInstance.create(':memory:',{extension_directory:'/app/duckdb-extensions'}).then(async i=>{const c=await i.connect();await c.run('INSTALL httpfs');await c.run('INSTALL aws')})"

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY --from=build --chown=node:node /app/duckdb-extensions /home/node/.duckdb/extensions
# uid 1000 is the image's `node` user; numeric so Batch (user: 1000) and the host agree.
USER 1000
ENTRYPOINT ["node", "/app/bin/callthemes.js"]
CMD ["--help"]
