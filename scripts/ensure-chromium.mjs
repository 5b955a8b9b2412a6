// Makes sure a Chromium exists before browser tests: installs Debian's `chromium` when running as
// root with apt available, otherwise stops with a message that says how to get one.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium, noChromiumMessage } from './chromium.mjs';

if (!findChromium()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get') && !process.env.CHROME_PATH) {
    console.log('No Chromium found: installing Debian\'s chromium with apt-get (running as root)...');
    try {
      execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
        stdio: 'inherit',
      });
    } catch {
      console.error('apt-get could not install chromium.');
    }
  }
  if (!findChromium()) {
    console.error(noChromiumMessage());
    process.exit(1);
  }
}
