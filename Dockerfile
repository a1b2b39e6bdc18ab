# Tally in a container: the official Node image, production dependencies only,
# the embedded DuckDB store in the /data volume. Not built or run by this
# project's CI (no container runtime there): see the README's "Docker" section.

# The dashboard is built with Vite, a development dependency, in a stage of its own.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./web
RUN node web/build.js --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 TALLY_DB=/data/tally.duckdb
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY --from=web /app/web/dist ./web/dist
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# Not `npm start`: its prestart step rebuilds the dashboard, which needs the development dependencies.
CMD ["node", "bin/tally.js", "serve"]
