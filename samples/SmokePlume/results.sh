#!/usr/bin/env bash
# The run behind the README's smoke-plume section. The sample is built once into a private folder, so editing the
# repository meanwhile cannot change the run. It writes samples/SmokePlume/results/default.{json,log}, rollout.png
# and rmse-per-step.png; the plume data are generated once (a few seconds) into samples/SmokePlume/data/ (git-ignored).
#   default   the sample's defaults: width 12, 30 epochs, seed 0, three variants (under 2 minutes here)
#   wd0.01    the same with AdamW weight decay 0.01 (does decay on the relaxation help it on held-out positions?)
#   relax-ends  the relaxed variant with LDR-1 only in the first and last convolution
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release samples/SmokePlume -o "$bin" > /dev/null
out=samples/SmokePlume/results
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD), $(date -u)" > "$out/commit.txt"
dotnet "$bin/SmokePlume.dll" --json "$out/default.json" --plots "$out" > "$out/default.log" 2>&1
mkdir -p "$out/wd0.01"
dotnet "$bin/SmokePlume.dll" --weight-decay 0.01 --json "$out/wd0.01/wd0.01.json" --plots "$out/wd0.01" > "$out/wd0.01/wd0.01.log" 2>&1
mkdir -p "$out/relax-ends"
dotnet "$bin/SmokePlume.dll" --relax-ends --json "$out/relax-ends/relax-ends.json" --plots "$out/relax-ends" > "$out/relax-ends/relax-ends.log" 2>&1
