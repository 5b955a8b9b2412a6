// STC-S (IVOA Note 1.33) and DALI geometry -> sky regions in ICRS degrees. The one parser of the
// project: the renderer's footprints and the server's observation search (server/storage/stcs.ts)
// both read s_region through it. Pure functions; no DOM.
//
// Grammar accepted (case-insensitive, tokens separated by blanks, parentheses stand alone):
//   region   := shape | op
//   shape    := SHAPE [fillfactor f] [frame] [refpos] [flavor] numbers [unit deg]
//   op       := (UNION | INTERSECTION) [fillfactor f] [frame] [refpos] [flavor] '(' region region* ')'
//             | NOT [frame…] '(' region ')'
//   SHAPE    := POSITION lon lat | CIRCLE lon lat r | BOX lon lat width height | POLYGON (lon lat){3,}
//   frame    := ICRS | FK5 | J2000 | GALACTIC | ECLIPTIC | UNKNOWNFrame (read as ICRS)
// Several blank-separated regions at top level (seen in the wild) are read as their union.
// Coordinates are degrees; Galactic and (J2000) ecliptic coordinates are rotated to ICRS with
// src/math/frames.ts. FK4/B1950 need precession and E-terms we do not model: they are an error.
import { applyMat3, frameRotation, type FrameName } from '../math/frames.js';
import { lonLatDegToVec, vecToLonLatDeg } from '../math/vec3.js';

/** A sky region in ICRS degrees. Polygon vertices in the order given (BOX: its 4 corners). */
export type SkyRegion =
  | { readonly type: 'position'; readonly raDeg: number; readonly decDeg: number }
  | { readonly type: 'circle'; readonly raDeg: number; readonly decDeg: number; readonly radiusDeg: number }
  | { readonly type: 'polygon'; readonly vertices: ReadonlyArray<readonly [number, number]>; readonly box?: boolean }
  | { readonly type: 'union' | 'intersection'; readonly members: readonly SkyRegion[] }
  | { readonly type: 'not'; readonly member: SkyRegion };

/** A malformed STC-S string: names the offending token and its character position (0-based). */
export class StcsError extends Error {
  readonly token: string;
  readonly position: number;
  constructor(problem: string, token: string, position: number, text: string) {
    const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
    super(`STC-S: ${problem} ${token === '' ? 'at the end' : `'${token}'`} at position ${position} of "${shown}"`);
    this.name = 'StcsError';
    this.token = token;
    this.position = position;
  }
}

const SHAPES = new Set(['POSITION', 'CIRCLE', 'BOX', 'POLYGON']);
const OPS = new Set(['UNION', 'INTERSECTION', 'NOT']);
const FRAMES: Record<string, FrameName | 'unsupported'> = {
  ICRS: 'icrs', FK5: 'icrs', J2000: 'icrs', UNKNOWNFRAME: 'icrs', GALACTIC: 'galactic', GALACTIC_II: 'galactic',
  ECLIPTIC: 'ecliptic', FK4: 'unsupported', B1950: 'unsupported', GEO_C: 'unsupported', GEO_D: 'unsupported',
};
const REFPOS = new Set([
  'BARYCENTER', 'GEOCENTER', 'HELIOCENTER', 'TOPOCENTER', 'LSR', 'LSRK', 'LSRD', 'GALACTIC_CENTER', 'LOCAL_GROUP_CENTER',
  'EMBARYCENTER', 'MOON', 'MERCURY', 'VENUS', 'MARS', 'JUPITER', 'SATURN', 'URANUS', 'NEPTUNE', 'PLUTO', 'UNKNOWNREFPOS',
]);
const FLAVORS = new Set(['SPHERICAL2', 'SPHER2', 'UNITSPHERE', 'CARTESIAN2']);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Longest STC-S string read (a 1e5-vertex polygon is ~2 MB); more is refused, not parsed slowly. */
export const MAX_STCS_CHARS = 4_000_000;
/** Deepest nesting of UNION / INTERSECTION / NOT. */
const MAX_DEPTH = 64;

interface Token {
  readonly text: string;
  readonly upper: string;
  readonly pos: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /[()]|[^\s()]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ text: m[0], upper: m[0].toUpperCase(), pos: m.index });
  return out;
}

/** Parses one STC-S region (ICRS degrees). Throws StcsError naming the bad token. */
export function parseStcs(text: string): SkyRegion {
  if (typeof text !== 'string') throw new TypeError(`STC-S must be a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length > MAX_STCS_CHARS) throw new StcsError(`string longer than ${MAX_STCS_CHARS} characters:`, text.slice(0, 20), 0, text);
  const tokens = tokenize(text);
  let i = 0;
  const fail = (problem: string, at = i): never => {
    const t = tokens[at];
    throw new StcsError(problem, t ? t.text : '', t ? t.pos : text.length, text);
  };

  /** Optional fillfactor, frame, refpos, flavor words; returns the frame. */
  const qualifiers = (): FrameName => {
    let frame: FrameName = 'icrs';
    if (tokens[i]?.upper === 'FILLFACTOR') {
      i++;
      if (!tokens[i] || !NUMBER.test(tokens[i]!.text)) fail('expected a fill factor number, got');
      i++;
    }
    const f = tokens[i] && FRAMES[tokens[i]!.upper];
    if (f !== undefined) {
      if (f === 'unsupported') fail('unsupported coordinate frame (needs precession; use ICRS, FK5, J2000, GALACTIC, ECLIPTIC)');
      frame = f as FrameName;
      i++;
    }
    if (tokens[i] && REFPOS.has(tokens[i]!.upper)) i++;
    if (tokens[i] && FLAVORS.has(tokens[i]!.upper)) {
      if (tokens[i]!.upper === 'CARTESIAN2') fail('unsupported flavor (only spherical coordinates are read)');
      i++;
    }
    return frame;
  };

  const numbers = (): Array<{ v: number; at: number }> => {
    const nums: Array<{ v: number; at: number }> = [];
    while (i < tokens.length && NUMBER.test(tokens[i]!.text)) {
      const v = Number(tokens[i]!.text);
      if (!Number.isFinite(v)) fail('number out of range');
      nums.push({ v, at: i });
      i++;
    }
    if (tokens[i]?.upper === 'UNIT') {
      i++;
      if (tokens[i]?.upper !== 'DEG') fail('only "unit deg" is supported for sky coordinates, got');
      i++;
    }
    return nums;
  };

  const toIcrs = (frame: FrameName, lon: number, lat: number): [number, number] => {
    if (frame === 'icrs') return [lon, lat];
    return vecToLonLatDeg(applyMat3(frameRotation(frame, 'icrs'), lonLatDegToVec(lon, lat)));
  };
  const checkLat = (n: { v: number; at: number }): number => {
    if (!(n.v >= -90 && n.v <= 90)) fail('latitude outside [-90, 90]:', n.at);
    return n.v;
  };

  const region = (depth: number): SkyRegion => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels at`);
    const t = tokens[i];
    if (!t) return fail('expected a shape (POSITION, CIRCLE, BOX, POLYGON, UNION, INTERSECTION, NOT), got');
    if (OPS.has(t.upper)) {
      i++;
      qualifiers();
      if (tokens[i]?.text !== '(') fail(`expected '(' after ${t.upper}, got`);
      i++;
      const members: SkyRegion[] = [];
      while (i < tokens.length && tokens[i]!.text !== ')') members.push(region(depth + 1));
      if (tokens[i]?.text !== ')') fail(`expected ')' closing ${t.upper} at position ${t.pos}, got`);
      if (members.length === 0) fail(`${t.upper} needs at least one region before`);
      if (t.upper === 'NOT' && members.length !== 1) fail('NOT takes exactly one region; extra region before');
      if (t.upper === 'INTERSECTION' && members.length < 2) fail('INTERSECTION needs at least two regions; got one before');
      i++;
      if (t.upper === 'NOT') return { type: 'not', member: members[0]! };
      return { type: t.upper === 'UNION' ? 'union' : 'intersection', members };
    }
    if (!SHAPES.has(t.upper)) return fail('unknown shape', i);
    const shapeAt = i;
    i++;
    const frame = qualifiers();
    const nums = numbers();
    const next = tokens[i];
    const badNext = (): never => fail(next && !NUMBER.test(next.text) && nums.length === 0 ? 'expected a number, got' : `wrong number of coordinates for ${t.upper}: unexpected`);
    switch (t.upper) {
      case 'POSITION': {
        if (nums.length !== 2) return nums.length < 2 ? fail(`${t.upper} needs lon lat; got ${nums.length} numbers before`) : fail('extra number in POSITION:', nums[2]!.at);
        const [ra, dec] = toIcrs(frame, nums[0]!.v, checkLat(nums[1]!));
        return { type: 'position', raDeg: wrap360(ra), decDeg: dec };
      }
      case 'CIRCLE': {
        if (nums.length !== 3) return nums.length < 3 ? fail(`CIRCLE needs lon lat radius; got ${nums.length} numbers before`) : fail('extra number in CIRCLE:', nums[3]!.at);
        const r = nums[2]!;
        if (!(r.v >= 0 && r.v <= 180)) fail('circle radius outside [0, 180] degrees:', r.at);
        const [ra, dec] = toIcrs(frame, nums[0]!.v, checkLat(nums[1]!));
        return { type: 'circle', raDeg: wrap360(ra), decDeg: dec, radiusDeg: r.v };
      }
      case 'BOX': {
        if (nums.length !== 4) return nums.length < 4 ? fail(`BOX needs lon lat width height; got ${nums.length} numbers before`) : fail('extra number in BOX:', nums[4]!.at);
        const lat = checkLat(nums[1]!);
        for (const k of [2, 3]) if (!(nums[k]!.v >= 0 && nums[k]!.v < 180)) fail('box size outside [0, 180) degrees:', nums[k]!.at);
        return { type: 'polygon', box: true, vertices: boxCorners(nums[0]!.v, lat, nums[2]!.v, nums[3]!.v).map(([l, b]) => icrsPair(toIcrs(frame, l, b))) };
      }
      default: {
        if (nums.length < 6) return nums.length === 0 ? badNext() : fail(`POLYGON needs at least 3 vertices (6 numbers); got ${nums.length} before`);
        if (nums.length % 2 !== 0) fail('POLYGON has an odd count of numbers; unpaired', nums[nums.length - 1]!.at);
        const vertices: Array<[number, number]> = [];
        for (let k = 0; k < nums.length; k += 2) vertices.push(icrsPair(toIcrs(frame, nums[k]!.v, checkLat(nums[k + 1]!))));
        // a repeated closing vertex (some archives write one) is dropped
        const a = vertices[0]!;
        const z = vertices[vertices.length - 1]!;
        if (vertices.length > 3 && a[0] === z[0] && a[1] === z[1]) vertices.pop();
        if (new Set(vertices.map(([l, b]) => `${l},${b}`)).size < 3) fail('POLYGON needs 3 distinct vertices', shapeAt);
        return { type: 'polygon', vertices };
      }
    }
  };

  if (tokens.length === 0) throw new StcsError('empty region: expected a shape', '', 0, text);
  const regions: SkyRegion[] = [];
  while (i < tokens.length) {
    if (tokens[i]!.text === ')') fail("unbalanced ')'");
    regions.push(region(0));
  }
  return regions.length === 1 ? regions[0]! : { type: 'union', members: regions };
}

function wrap360(lonDeg: number): number {
  const l = lonDeg % 360;
  return l < 0 ? l + 360 : l === 0 ? 0 : l;
}

function icrsPair([lon, lat]: readonly [number, number]): [number, number] {
  return [wrap360(lon), lat];
}

/**
 * Corners of BOX lon lat w h (full width/height): w along the parallel through the centre (scaled
 * by 1/cos lat), h along the meridian, joined by great circles (the reading the server and
 * Aladin Lite use; STC-S 1.33 leaves the edges' curve open).
 */
export function boxCorners(lonDeg: number, latDeg: number, widthDeg: number, heightDeg: number): Array<[number, number]> {
  const hw = widthDeg / 2 / Math.max(1e-12, Math.cos((latDeg * Math.PI) / 180));
  const lo = Math.max(-90, latDeg - heightDeg / 2);
  const hi = Math.min(90, latDeg + heightDeg / 2);
  return [[lonDeg - hw, lo], [lonDeg + hw, lo], [lonDeg + hw, hi], [lonDeg - hw, hi]];
}

// ---- DALI geometry (xtype point / circle / polygon: arrays of degrees in ICRS) ----

function daliNumbers(values: ArrayLike<number> | string, what: string): number[] {
  const nums = typeof values === 'string' ? values.trim().split(/\s+/).filter((s) => s !== '').map((s) => {
    if (!NUMBER.test(s)) throw new StcsError(`DALI ${what}: expected a number, got`, s, values.indexOf(s), values);
    return Number(s);
  }) : Array.from(values, Number);
  nums.forEach((v, k) => {
    if (!Number.isFinite(v)) throw new RangeError(`DALI ${what}: value ${k} is not a finite number (${v})`);
  });
  return nums;
}

/** DALI polygon (double[2n], n >= 3, "lon1 lat1 lon2 lat2 …") -> region. */
export function daliPolygon(values: ArrayLike<number> | string): SkyRegion {
  const nums = daliNumbers(values, 'polygon');
  if (nums.length < 6 || nums.length % 2 !== 0) throw new RangeError(`DALI polygon needs an even count >= 6 of numbers, got ${nums.length}`);
  const vertices: Array<[number, number]> = [];
  for (let k = 0; k < nums.length; k += 2) {
    if (!(nums[k + 1]! >= -90 && nums[k + 1]! <= 90)) throw new RangeError(`DALI polygon: latitude ${nums[k + 1]} of vertex ${k / 2} outside [-90, 90]`);
    vertices.push([wrap360(nums[k]!), nums[k + 1]!]);
  }
  return { type: 'polygon', vertices };
}

/** DALI circle (double[3] "lon lat radius") -> region. */
export function daliCircle(values: ArrayLike<number> | string): SkyRegion {
  const nums = daliNumbers(values, 'circle');
  if (nums.length !== 3) throw new RangeError(`DALI circle needs 3 numbers (lon lat radius), got ${nums.length}`);
  if (!(nums[1]! >= -90 && nums[1]! <= 90)) throw new RangeError(`DALI circle: latitude ${nums[1]} outside [-90, 90]`);
  if (!(nums[2]! >= 0 && nums[2]! <= 180)) throw new RangeError(`DALI circle: radius ${nums[2]} outside [0, 180]`);
  return { type: 'circle', raDeg: wrap360(nums[0]!), decDeg: nums[1]!, radiusDeg: nums[2]! };
}

/** DALI point (double[2] "lon lat") -> region. */
export function daliPoint(values: ArrayLike<number> | string): SkyRegion {
  const nums = daliNumbers(values, 'point');
  if (nums.length !== 2) throw new RangeError(`DALI point needs 2 numbers (lon lat), got ${nums.length}`);
  if (!(nums[1]! >= -90 && nums[1]! <= 90)) throw new RangeError(`DALI point: latitude ${nums[1]} outside [-90, 90]`);
  return { type: 'position', raDeg: wrap360(nums[0]!), decDeg: nums[1]! };
}
