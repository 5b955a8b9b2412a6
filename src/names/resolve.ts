// Offline target resolution: a position string (decimal or sexagesimal) or a Messier/NGC/common
// name from the shipped Messier table. The archive server's resolver covers everything else.
import { parseRaDec, type RaDecDeg } from '../math/angles.js';
import { MESSIER } from './messier.data.js';

export interface ResolvedTarget extends RaDecDeg {
  readonly name?: string;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '').replace(/^messier/, 'm');
}

const index = new Map<string, ResolvedTarget>();
for (const [m, desig, alt, raDeg, decDeg] of MESSIER) {
  const entry = { raDeg, decDeg, name: alt ? `${m} (${alt})` : m };
  index.set(normalise(m), entry);
  if (desig) index.set(normalise(desig), entry);
  if (alt) index.set(normalise(alt), entry);
}

/** Resolve text to a position, or undefined when it is neither a position nor a known name. */
export function resolveTargetOffline(text: string): ResolvedTarget | undefined {
  const pos = parseRaDec(text);
  if (pos) return pos;
  return index.get(normalise(text.trim()));
}
