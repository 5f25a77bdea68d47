# One image per deployable of the workspace: the five services, the order console and the demo's
# init step.
#
#   docker build --build-arg PROJECT=order-service -t ecommerce/order-service .
#
# PROJECT is an Nx project with an esbuild `build` target (apps/*). The base image is a build
# argument: any Debian-based Node.js 24 image with npm and a `node` user (uid 1000) fits, as the
# official ones do; CI swaps in one it builds itself (infra/docker/ci).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: the whole workspace, installed from the lockfile, every app bundled -----------------
# No build argument is read before the bundles exist, so building several images (compose does
# six) reuses this stage instead of repeating it per app.
FROM ${NODE_IMAGE} AS build
WORKDIR /workspace
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# Dependencies first, so that a source change reuses this layer. No install scripts: none is
# needed (see allowScripts in package.json), and the Prisma clients are generated below.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --loglevel=error --ignore-scripts
COPY . .
RUN npm run prisma:generate \
 && npx nx run-many -t build --outputStyle=static

# --- runtime: the bundle, its production dependencies, its migrations ----------------------
FROM ${NODE_IMAGE} AS runtime
ARG PROJECT
RUN test -n "${PROJECT}" || { echo "build argument PROJECT is required, e.g. order-service" >&2; exit 1; }
ENV NODE_ENV=production
WORKDIR /app
# esbuild's generated package.json and lockfile list only what the bundle requires at run time.
COPY --from=build /workspace/dist/apps/${PROJECT}/package.json /workspace/dist/apps/${PROJECT}/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error --ignore-scripts && npm cache clean --force
COPY --from=build /workspace/dist/apps/${PROJECT}/ ./
USER node
# In a container every service listens on 3000 (publish it where you like); ready means its
# database, Kafka and the schema registry answer.
ENV PORT=3000 HOST=0.0.0.0
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=5s --start-period=120s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node itself is PID 1: the services handle SIGTERM (drain consumers, stop the relay, close).
CMD ["node", "--enable-source-maps", "main.js"]
