#!/usr/bin/env bash
# The runs behind the README's ε-sweep section. The sample is built once into a private folder, so editing the
# repository meanwhile cannot change a run. Each run writes samples/ApproxEquivariance/results/<name>.{json,log,png}.
#   sweep          the sample's defaults: ε ∈ {0, 0.01, 0.05, 0.2, 1}, seed 42, 128 train / 1024 test (1.5–2.5 min)
#   sweep-seed7    the same with another seed (task, data and init)
#   sweep-train512 four times the training data, more than |G| = 256, on three ε (about 3 min)
#   sweep-epochs5000  5,000 steps instead of 1,500 at the two small ε (about 1.5 min)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release samples/ApproxEquivariance -o "$bin" > /dev/null
out=samples/ApproxEquivariance/results
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD), $(date -u)" > "$out/commit.txt"
run() {
  local name=$1; shift
  dotnet "$bin/ApproxEquivariance.dll" --json "$out/$name.json" --plot "$out/$name.png" "$@" > "$out/$name.log" 2>&1
}
run sweep
run sweep-seed7 --seed 7
run sweep-train512 --train-size 512 --epsilon 0,0.05,1
run sweep-epochs5000 --epochs 5000 --epsilon 0.01,0.05
