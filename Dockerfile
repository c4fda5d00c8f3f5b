# The self-host (docs/self-host.md) on Bun; switch the last stage's CMD for Node or Deno.
# Not built in this repository's CI (no container engine there).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run assets && node scripts/build-self.mjs && npm prune --omit=dev

FROM oven/bun:1.4-slim
WORKDIR /app
ENV NODE_ENV=production PORT=8787 SMTP_PORT=2525 DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/self ./dist/self
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/static ./static
COPY --from=build /app/package.json ./
VOLUME /data
EXPOSE 8787 2525
# Node: CMD ["node", "dist/self/server.mjs"]; Deno: CMD ["deno", "run", "-A", "dist/self/server.mjs"]
CMD ["bun", "dist/self/server.mjs"]
