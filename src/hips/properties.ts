// Parses a HiPS `properties` file (STANDARDS.md A2) into typed fields plus every raw key, and lists
// what would stop the renderer from drawing it as an image HiPS. Never throws on any string input.

/** Celestial frame of a HiPS; other values (planetary bodies, unknown words) are kept as written. */
export type HipsFrame = 'equatorial' | 'galactic' | 'ecliptic' | (string & {});

/** Tile formats an image HiPS can be drawn from. */
export const IMAGE_TILE_FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'fits'];

/** Deepest order the HiPS standard allows (HEALPix order 29). */
export const HIPS_MAX_ORDER = 29;

export interface HipsProperties {
  /** Every `key = value` line, trimmed; when a key repeats, the last value wins. */
  raw: Map<string, string>;
  creatorDid: string | undefined;
  obsTitle: string | undefined;
  dataproductType: string | undefined;
  hipsVersion: string | undefined;
  /** hips_order (deepest tile order); undefined when missing or not an integer in 0..29. */
  hipsOrder: number | undefined;
  /** hips_order_min; 0 when missing or invalid. */
  hipsOrderMin: number;
  /** hips_tile_width in pixels; 512 when missing or invalid. */
  hipsTileWidth: number;
  /** hips_tile_format words, lower case, 'jpg' written 'jpeg', duplicates removed; first = default. */
  hipsTileFormats: string[];
  /** 'equatorial' when hips_frame is missing or empty. */
  hipsFrame: HipsFrame;
  hipsPixelBitpix?: number;
  /** hips_pixel_cut: display cut [min, max]. */
  hipsPixelCut?: [number, number];
  /** hips_data_range (HiPS 1.0) or hips_data_minmax (2.0 draft): [min, max]. */
  hipsDataRange?: [number, number];
  hipsInitialRaDeg?: number;
  hipsInitialDecDeg?: number;
  hipsInitialFovDeg?: number;
  mocSkyFraction?: number;
  obsCopyright?: string;
  obsCopyrightUrl?: string;
}

const INTEGER_RE = /^[+-]?\d+$/;
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BITPIX_VALUES: readonly number[] = [8, 16, 32, 64, -32, -64];

/** A decimal integer (no exponent, no fraction), or undefined. */
function parseInteger(value: string | undefined): number | undefined {
  if (value === undefined || !INTEGER_RE.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A finite decimal number, or undefined (rejects '', hex, 'Infinity', 'NaN'). */
function parseDecimal(value: string | undefined): number | undefined {
  if (value === undefined || !DECIMAL_RE.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The first two whitespace-separated numbers of a value, or undefined. */
function parsePair(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const words = value.split(/\s+/).filter((w) => w.length > 0);
  if (words.length < 2) return undefined;
  const a = parseDecimal(words[0]);
  const b = parseDecimal(words[1]);
  return a === undefined || b === undefined ? undefined : [a, b];
}

function parseOrder(value: string | undefined): number | undefined {
  const n = parseInteger(value);
  return n !== undefined && n >= 0 && n <= HIPS_MAX_ORDER ? n : undefined;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function parseTileWidth(value: string | undefined): number | undefined {
  const n = parseInteger(value);
  return n !== undefined && isPowerOfTwo(n) ? n : undefined;
}

function parseFormats(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const word of value.split(/\s+/)) {
    if (word.length === 0) continue;
    let f = word.toLowerCase();
    if (f === 'jpg') f = 'jpeg';
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Maps the usual spellings of the celestial frames; keeps anything else as written. */
function normaliseFrame(value: string | undefined): HipsFrame {
  if (value === undefined || value.length === 0) return 'equatorial';
  switch (value.toLowerCase()) {
    case 'c':
    case 'icrs':
    case 'equatorial':
      return 'equatorial';
    case 'g':
    case 'galactic':
      return 'galactic';
    case 'e':
    case 'ecliptic':
      return 'ecliptic';
    default:
      return value;
  }
}

/**
 * Parses the text of a HiPS `properties` file: UTF-8 `key = value` lines (split at the first '='),
 * '#' comments and blank lines ignored, any line ending (LF, CRLF, CR), a leading BOM skipped.
 * Lines without '=' or with an empty key are ignored. Never throws.
 */
export function parseHipsProperties(text: string): HipsProperties {
  const raw = new Map<string, string>();
  const source = typeof text === 'string' ? text : '';
  const body = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  for (const line of body.split(/\r\n|\n|\r/)) {
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    const key = trimmed.slice(0, eq).trim();
    if (key.length === 0) continue;
    raw.set(key, trimmed.slice(eq + 1).trim());
  }

  const str = (key: string): string | undefined => {
    const v = raw.get(key);
    return v === undefined || v.length === 0 ? undefined : v;
  };

  const props: HipsProperties = {
    raw,
    creatorDid: str('creator_did'),
    obsTitle: str('obs_title'),
    dataproductType: str('dataproduct_type'),
    hipsVersion: str('hips_version'),
    hipsOrder: parseOrder(raw.get('hips_order')),
    hipsOrderMin: parseOrder(raw.get('hips_order_min')) ?? 0,
    hipsTileWidth: parseTileWidth(raw.get('hips_tile_width')) ?? 512,
    hipsTileFormats: parseFormats(raw.get('hips_tile_format')),
    hipsFrame: normaliseFrame(str('hips_frame')),
  };

  const bitpix = parseInteger(raw.get('hips_pixel_bitpix'));
  if (bitpix !== undefined && BITPIX_VALUES.includes(bitpix)) props.hipsPixelBitpix = bitpix;
  const cut = parsePair(raw.get('hips_pixel_cut'));
  if (cut) props.hipsPixelCut = cut;
  const range = parsePair(raw.get('hips_data_range') ?? raw.get('hips_data_minmax'));
  if (range) props.hipsDataRange = range;
  const ra = parseDecimal(raw.get('hips_initial_ra'));
  if (ra !== undefined) props.hipsInitialRaDeg = ra;
  const dec = parseDecimal(raw.get('hips_initial_dec'));
  if (dec !== undefined && dec >= -90 && dec <= 90) props.hipsInitialDecDeg = dec;
  const fov = parseDecimal(raw.get('hips_initial_fov'));
  if (fov !== undefined && fov > 0) props.hipsInitialFovDeg = fov;
  const fraction = parseDecimal(raw.get('moc_sky_fraction'));
  if (fraction !== undefined && fraction >= 0 && fraction <= 1) props.mocSkyFraction = fraction;
  const copyright = str('obs_copyright');
  if (copyright !== undefined) props.obsCopyright = copyright;
  const copyrightUrl = str('obs_copyright_url');
  if (copyrightUrl !== undefined) props.obsCopyrightUrl = copyrightUrl;
  return props;
}

/** Shortens a value for quoting in a message. */
function quote(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
}

/**
 * Human-readable reasons why `p` cannot be drawn as an image HiPS; an empty array means it can.
 * Checks hips_order (required, integer 0..29), hips_order_min (≤ hips_order when given),
 * hips_tile_format (at least one of jpeg, png, webp, fits), hips_tile_width (a power of two when
 * given; default 512), hips_frame (missing means equatorial; planetary or unknown frames are
 * reported) and dataproduct_type (image or cube when given).
 */
export function validateForImageRendering(p: HipsProperties): string[] {
  const problems: string[] = [];
  const raw = p.raw;

  const order = raw.get('hips_order');
  if (order === undefined || order.length === 0) {
    problems.push('properties has no hips_order');
  } else if (parseOrder(order) === undefined) {
    problems.push(`hips_order must be an integer in 0..${HIPS_MAX_ORDER}, got ${quote(order)}`);
  }

  const orderMin = raw.get('hips_order_min');
  if (orderMin !== undefined && orderMin.length > 0) {
    const min = parseOrder(orderMin);
    if (min === undefined) {
      problems.push(`hips_order_min must be an integer in 0..${HIPS_MAX_ORDER}, got ${quote(orderMin)}`);
    } else if (p.hipsOrder !== undefined && min > p.hipsOrder) {
      problems.push(`hips_order_min ${min} is greater than hips_order ${p.hipsOrder}`);
    }
  }

  const formats = raw.get('hips_tile_format');
  if (formats === undefined || p.hipsTileFormats.length === 0) {
    problems.push('properties has no hips_tile_format');
  } else if (!p.hipsTileFormats.some((f) => IMAGE_TILE_FORMATS.includes(f))) {
    problems.push(`hips_tile_format ${quote(formats)} is not an image format`);
  }

  const width = raw.get('hips_tile_width');
  if (width !== undefined && width.length > 0 && parseTileWidth(width) === undefined) {
    problems.push(`hips_tile_width must be a power of two, got ${quote(width)}`);
  }

  const frame = p.hipsFrame;
  if (frame !== 'equatorial' && frame !== 'galactic' && frame !== 'ecliptic') {
    problems.push(
      `hips_frame ${quote(frame)} is not a celestial frame (equatorial, galactic or ecliptic)`,
    );
  }

  const type = p.dataproductType;
  if (type !== undefined && type.toLowerCase() !== 'image' && type.toLowerCase() !== 'cube') {
    problems.push(`dataproduct_type ${quote(type)} is not an image HiPS`);
  }
  return problems;
}
