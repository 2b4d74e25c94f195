#!/usr/bin/env bash
# The run behind the README's ε-sweep table and plot: the sample's defaults (ε ∈ {0, 0.01, 0.05, 0.2, 1}, seed 42,
# 128 training samples, 1024 test samples). The sample is built once into a private folder, so editing the
# repository meanwhile cannot change the run. Writes samples/ApproxEquivariance/results/{sweep.json,sweep.log,sweep.png,commit.txt}.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release samples/ApproxEquivariance -o "$bin" > /dev/null
out=samples/ApproxEquivariance/results
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD), $(date -u)" > "$out/commit.txt"
dotnet "$bin/ApproxEquivariance.dll" --json "$out/sweep.json" --plot "$out/sweep.png" "$@" 2>&1 | tee "$out/sweep.log"
