#!/usr/bin/env bash
# Packs GmCodegen into a temporary local feed and builds a consumer outside the repository against it with one
# PackageReference and plain `dotnet build`; runs its kernels against a dense reference; then adds a bad expression
# and checks that the build fails with a GM diagnostic at the right line and column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
feed=$tmp/feed dir=$tmp/consumer
mkdir -p "$feed" "$dir"

# The documented pack command, for the runtime project alone (packing the solution would also build tests and samples).
dotnet pack "$repo/runtime/GmCodegen.csproj" -c Release -o "$feed" -nologo -v q 2>&1 | tail -3
nupkg=$(ls "$feed"/GmCodegen.*.nupkg)
version=${nupkg##*/GmCodegen.}; version=${version%.nupkg}
[ -f "$feed/GmCodegen.$version.snupkg" ] || { echo "no symbols package next to $nupkg"; exit 1; }
files=$(unzip -Z1 "$nupkg")
for f in lib/net10.0/GmCodegen.dll analyzers/dotnet/cs/GmCodegen.Generator.dll analyzers/dotnet/cs/Scriban.Signed.dll README.md; do
  grep -qx "$f" <<< "$files" || { echo "$f missing from $nupkg"; exit 1; }
done
# The generator travels inside the package, never as a dependency.
if unzip -p "$nupkg" GmCodegen.nuspec | grep -qi 'dependency id="GmCodegen'; then echo "the package depends on a GmCodegen.* package"; exit 1; fi

cp "$here"/Program.cs "$repo"/tests/ExternalConsumer/DenseReference.cs "$dir"/
sed "s|VERSION|$version|" "$here"/PackageConsumer.csproj > "$dir"/PackageConsumer.csproj
sed "s|FEED|$feed|" "$here"/nuget.config > "$dir"/nuget.config
# A private packages folder: a GmCodegen of the same version cached by an earlier pack can never be the one tested.
export NUGET_PACKAGES=$tmp/packages
(cd "$dir" && dotnet build -nologo -v q 2>&1 | tail -3 && dotnet run --no-build)
[ -f "$NUGET_PACKAGES/gmcodegen/$version/analyzers/dotnet/cs/GmCodegen.Generator.dll" ] || { echo "GmCodegen $version was not restored from the local feed"; exit 1; }

line=$(( $(wc -l < "$dir"/Program.cs) + 1 ))
echo '[GroupMatrix("D4 x Foo2")] partial struct Bad;' >> "$dir"/Program.cs
if out=$(cd "$dir" && dotnet build -nologo 2>&1); then echo "a bad expression built without error"; exit 1; fi
echo "$out" | grep -m1 "Program.cs($line,20): error GM0002" || { echo "expected GM0002 at ($line,20):"; echo "$out" | grep -m3 error; exit 1; }
echo "package consumer: GmCodegen $version from a local feed builds, runs and reports GM diagnostics"
