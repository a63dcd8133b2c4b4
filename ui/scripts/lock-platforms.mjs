// Completes package-lock.json with the platform-specific optional packages (rollup, tauri-cli,
// …) for other systems. Run after `npm install` changes the lock on a machine whose registry
// only carries the Linux builds: npm then leaves the others out of the lock and `npm ci`
// refuses it ("Missing: @rollup/rollup-darwin-x64@ from lock file"). Each added entry records
// the package's os/cpu/libc, so npm skips it on other systems without fetching it.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = new Set(['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'openharmony', 'sunos', 'win32']);
const LIBC = { gnu: 'glibc', gnueabihf: 'glibc', musl: 'musl', musleabihf: 'musl' };

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const i = parts.findIndex((p) => OS.has(p));
  if (i < 0 || !parts[i + 1]) return null;
  const platform = { os: [parts[i]], cpu: [parts[i + 1]] };
  const libc = LIBC[parts.slice(i + 2).join('-')];
  return libc ? { ...platform, libc: [libc] } : platform;
}

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
let added = 0;

for (const [where, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${where ? `${where}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
      console.warn(`left out ${name}@${version}: not a pinned platform package`);
      continue;
    }
    // Keys in the order npm writes them, so a later `npm install` leaves the file as it is.
    packages[`node_modules/${name}`] = {
      version,
      cpu: platform.cpu,
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: platform.libc } : {}),
      optional: true,
      os: platform.os,
    };
    added++;
  }
}

lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries to package-lock.json`);
