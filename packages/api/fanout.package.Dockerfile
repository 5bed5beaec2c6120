# The subscriber fan-out as a customer repository builds it (stacks/live.ts): the context is the
# installed @tandem/api package, whose dist-fanout/ holds the bundle made when it was published.
FROM node:20-bookworm-slim
WORKDIR /app
COPY dist-fanout/ ./
USER node
ENV NODE_ENV=production PORT=8080 NODE_OPTIONS=--enable-source-maps
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "fanout.mjs"]
