# The subscriber fan-out (stacks/live.ts), built with the repository root as its context.
# pnpm fetch reads only the lockfile, so the dependency layer is cached (ECR_CACHE_REPO) until it changes.
FROM node:20-bookworm-slim AS build
WORKDIR /repo
RUN corepack enable
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile --filter "@tandem/api..." \
 && node packages/api/scripts/bundle-fanout.mjs /out

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /out/ ./
USER node
ENV NODE_ENV=production PORT=8080 NODE_OPTIONS=--enable-source-maps
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "fanout.mjs"]
