/**
 * `npm run hipsgen -- <input.fits> --id ID [options]`: builds a HiPS (FITS tiles, Allsky,
 * properties, Moc.fits) into HIPS_DIR/ID, which the server then serves at /hips/ID and lists in
 * its hipslist. The input is a FITS image with a celestial WCS, or a HEALPix map.
 */
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { generateHips } from './generate.js';
import { HipsgenError, healpixMapSource, imageSource, type SkyFrame } from './sources.js';
import { readFits } from '../../src/workers/fits/index.js';

export const USAGE = `usage: npm run hipsgen -- <input.fits> --id ID [--title TEXT] [--tile-width N] [--order K]
                       [--column NAME] [--frame galactic|equatorial|ecliptic] [--force]
  input       a FITS image with a celestial WCS (e.g. an all-sky AIT map), or a HEALPix map
              (BINTABLE with PIXTYPE = HEALPIX; --column picks the column, --frame says the frame
              when the file has no COORDSYS)
  --id        the HiPS directory under HIPS_DIR (letters, digits, . _ -)
  --force     replace an existing HiPS of that id
Example: npm run hipsgen -- ../shared/data/allsky_maps/rosat_sxrb_3-4keV_AIT_gal.fits --id rosat_sxrb --title "ROSAT SXRB 3/4 keV"`;

export interface HipsgenArgs {
  input: string;
  id: string;
  title?: string;
  tileWidth?: number;
  order?: number;
  column?: string;
  frame?: SkyFrame;
  force: boolean;
}

export function parseHipsgenArgs(argv: readonly string[]): HipsgenArgs {
  const rest = [...argv];
  const pos: string[] = [];
  const opts: Record<string, string> = {};
  let force = false;
  const valued = ['id', 'title', 'tile-width', 'order', 'column', 'frame'];
  while (rest.length) {
    const a = rest.shift()!;
    if (a === '--force') force = true;
    else if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!valued.includes(k)) throw new HipsgenError(`unknown option --${k}`);
      const v = inline ?? rest.shift();
      if (v === undefined) throw new HipsgenError(`--${k} needs a value`);
      opts[k] = v;
    } else pos.push(a);
  }
  if (pos.length !== 1) throw new HipsgenError(pos.length ? `one input file, got ${pos.join(' ')}` : 'say which FITS file to build the HiPS from');
  if (!opts['id']) throw new HipsgenError('--id is required (the HiPS directory name)');
  const int = (k: string): number | undefined => {
    if (opts[k] === undefined) return undefined;
    const n = Number(opts[k]);
    if (!Number.isInteger(n)) throw new HipsgenError(`--${k} must be an integer, got ${JSON.stringify(opts[k])}`);
    return n;
  };
  const frame = opts['frame'];
  if (frame !== undefined && !['galactic', 'equatorial', 'ecliptic'].includes(frame)) throw new HipsgenError(`--frame must be galactic, equatorial or ecliptic, got ${JSON.stringify(frame)}`);
  return { input: resolve(pos[0]!), id: opts['id'], title: opts['title'], tileWidth: int('tile-width'), order: int('order'), column: opts['column'], frame: frame as SkyFrame | undefined, force };
}

/** Builds the HiPS described by `args` under `hipsDir`; returns the output directory. */
export function runHipsgen(args: HipsgenArgs, hipsDir: string, out: NodeJS.WritableStream = process.stderr): string {
  if (!existsSync(args.input)) throw new HipsgenError(`${args.input}: no such file`);
  const bytes = new Uint8Array(readFileSync(args.input));
  const isMap = readFits(bytes).hdus.some((h) => h.type === 'bintable' && (h.header.get('PIXTYPE') === 'HEALPIX' || h.header.get('NSIDE') !== undefined));
  const src = isMap ? healpixMapSource(args.input, bytes, { column: args.column, frame: args.frame }) : imageSource(args.input, bytes);
  const dir = join(hipsDir, args.id);
  if (existsSync(dir)) {
    if (!args.force) throw new HipsgenError(`${dir} exists: pass --force to replace it`);
    rmSync(dir, { recursive: true, force: true });
  }
  let last = -1;
  const r = generateHips(src, dir, {
    id: args.id,
    title: args.title ?? args.id,
    progenitor: basename(args.input),
    tileWidth: args.tileWidth,
    order: args.order,
    progress: (done, total, what) => {
      const pct = Math.floor((100 * done) / total);
      if (pct !== last && (out as { isTTY?: boolean }).isTTY) out.write(`\r${what} ${pct}%   `);
      last = pct;
    },
  });
  out.write(`\nHiPS ${args.id}: order ${r.order}, ${r.tileWidth}-px FITS tiles (pixels of order ${r.pixelOrder}), ${r.tilesWritten} tiles, sky fraction ${r.skyFraction.toFixed(4)}, data ${r.dataRange.join('..')} -> ${dir}\n`);
  return dir;
}

export function main(argv: readonly string[] = process.argv.slice(2), environ = process.env): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const config = loadConfig(environ);
    runHipsgen(parseHipsgenArgs(argv), config.hipsDir);
    return 0;
  } catch (err) {
    if (err instanceof HipsgenError) {
      process.stderr.write(`esasky-sky hipsgen: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    const msg = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).message;
    process.stderr.write(`esasky-sky hipsgen: ${msg}\n`);
    return 1;
  }
}

function isEntryScript(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryScript()) process.exit(main());
