// Refreshes and downloads targets with tuf-js's Updater (npm `tuf-js`).
//
// usage: node tuf_updater.js ROOT_JSON METADATA_URL TARGETS_URL WORKDIR TARGET...
//
// Trusts ROOT_JSON, refreshes from METADATA_URL, downloads each TARGET into WORKDIR/out
// and prints one line per target: PATH LENGTH. Exits non-zero on any failure.
'use strict';
const fs = require('fs');
const path = require('path');
const { Updater } = require('tuf-js');

async function main() {
  const [root, metadataBaseUrl, targetBaseUrl, work, ...targets] = process.argv.slice(2);
  const metadataDir = path.join(work, 'meta');
  const targetDir = path.join(work, 'out');
  fs.mkdirSync(metadataDir, { recursive: true });
  fs.mkdirSync(targetDir, { recursive: true });
  // tuf-js starts from the trusted root stored in its metadata directory
  fs.copyFileSync(root, path.join(metadataDir, 'root.json'));
  const up = new Updater({ metadataDir, metadataBaseUrl, targetDir, targetBaseUrl });
  await up.refresh();
  for (const t of targets) {
    const info = await up.getTargetInfo(t);
    if (!info) {
      throw new Error(`${t}: not found`);
    }
    const file = await up.downloadTarget(info);
    process.stdout.write(`${t} ${fs.statSync(file).size}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
