#!/usr/bin/env bash
# Builds this consumer outside the repository with plain `dotnet build` and runs it; then adds a bad expression and
# checks that the build fails with a GM diagnostic at the right line and column.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$(dirname "$0")"/Program.cs "$(dirname "$0")"/DenseReference.cs "$dir"/
sed "s|REPO|$repo|g" "$(dirname "$0")"/ExternalConsumer.csproj > "$dir"/ExternalConsumer.csproj
(cd "$dir" && dotnet build -nologo -v q 2>&1 | tail -3 && dotnet run --no-build)
line=$(( $(wc -l < "$dir"/Program.cs) + 1 ))
echo '[GroupMatrix("C4 x Foo2")] partial struct Bad;' >> "$dir"/Program.cs
if out=$(cd "$dir" && dotnet build -nologo 2>&1); then echo "a bad expression built without error"; exit 1; fi
echo "$out" | grep -m1 "Program.cs($line,20): error GM0002" || { echo "expected GM0002 at ($line,20):"; echo "$out" | grep -m3 error; exit 1; }
