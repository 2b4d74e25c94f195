#!/usr/bin/env bash
# The runs behind the README's results table (each trains 20 epochs).
# The sample is built once into a private folder, so editing the repository meanwhile cannot change a run.
# Logs go to samples/RotatedMnist/results/<name>.log, models to samples/RotatedMnist/models/.
# With arguments, only the runs of those names (e.g. `results.sh ldr1 regression`); their commits are appended to commit.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release samples/RotatedMnist -o "$bin" > /dev/null
mkdir -p samples/RotatedMnist/results
only=" $* "
if [ $# -eq 0 ]; then
  echo "commit $(git rev-parse --short HEAD), $(date -u)" > samples/RotatedMnist/results/commit.txt
else
  echo "$*: commit $(git rev-parse --short HEAD), $(date -u)" >> samples/RotatedMnist/results/commit.txt
fi
run() {
  local name=$1; shift
  if [ "$only" != "  " ] && [[ "$only" != *" $name "* ]]; then return; fi
  local model="samples/RotatedMnist/models/$name.safetensors"
  dotnet "$bin/RotatedMnist.dll" "$@" --save "$model" > "samples/RotatedMnist/results/$name.log" 2>&1
  dotnet "$bin/RotatedMnist.dll" --evaluate "$model" >> "samples/RotatedMnist/results/$name.log" 2>&1
}
run d14-shared-r3    --group "D14 x D14" --radius 3 --mode shared --channels 120 --epochs 20
run d14-full-r1      --group "D14 x D14" --radius 1 --mode full --channels 32 --epochs 20
run c28-shared-r3    --group "C28 x C28" --radius 3 --mode shared --channels 120 --epochs 20
# Approximately equivariant variants of the paper's network (docs/approximate-equivariance.md)
run d14-shared-r3-ldr1           --group "D14 x D14" --radius 3 --mode shared --channels 120 --epochs 20 --relax ldr:1
run d14-shared-r3-regression     --group "D14 x D14" --radius 3 --mode shared --channels 120 --epochs 20 --relax regression
run d14-shared-r3-classification --group "D14 x D14" --radius 3 --mode shared --channels 120 --epochs 20 --relax classification
run d14-shared-r3-ldr4           --group "D14 x D14" --radius 3 --mode shared --channels 120 --epochs 20 --relax ldr:4
# Pooled GM-CNNs (GMPool over subgroup cosets, full channel mixing; docs/design.md#pooling-over-subgroup-cosets)
run c28-pooled-r1                --group "C28 x C28" --radius 1 --pool --epochs 20 --threads 1
run d14-pooled-r1                --group "D14 x D14" --radius 1 --pool --epochs 20 --threads 1
# Lifted G-CNNs (5×5 lift onto p4m(28) / p4(28), centred pool to (14), automatic pool to (7); docs/design.md#lifting)
run p4m-lifted                   --group "p4m(28)" --epochs 20 --batch 32 --threads 2
run p4m-lifted-mix               --group "p4m(28)" --epochs 20 --batch 32 --threads 2 --widths "8/8,8/11" --mix 48 --schedule cosine
run p4-lifted                    --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine
run p4-lifted-dropout            --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --dropout 0.3
run p4-lifted-wd                 --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --weight-decay 0.1
run p4-lifted-wd3                --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --weight-decay 0.3
run p4-lifted-wd10               --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --weight-decay 1
run p4-lifted-wd30               --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --weight-decay 3
run p4-lifted-rot                --group "p4(28)" --epochs 20 --batch 32 --threads 2 --channels 11 --widths "12/12,12/16" --mix 48 --schedule cosine --weight-decay 1 --augment rotate
run d14-pooled-r1-recipe         --group "D14 x D14" --radius 1 --pool --epochs 20 --threads 1 --batch 32 --schedule cosine --weight-decay 0.3
run c28-pooled-r1-recipe         --group "C28 x C28" --radius 1 --pool --epochs 20 --threads 1 --batch 32 --schedule cosine --weight-decay 0.3
run p4m-lifted-mix-rot           --group "p4m(28)" --epochs 20 --batch 32 --threads 2 --widths "8/8,8/11" --mix 48 --schedule cosine --weight-decay 1 --augment rotate
