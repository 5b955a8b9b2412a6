/**
 * Random groups (FITS 4.0 §6; primary HDU with GROUPS = T, NAXIS1 = 0): GCOUNT groups, each
 * PCOUNT parameters followed by an array of NAXIS2 x ... x NAXISn values, all of type BITPIX.
 *
 *   parameter k (0-based) = PZERO{k+1} + PSCAL{k+1} * stored   (float64)
 *   array value          = BZERO + BSCALE * stored             (BLANK -> NaN for integers)
 *
 * `parameter(name)` follows the AIPS convention (as astropy's `par(name)`): parameters with
 * the same PTYPEn are summed (e.g. DATE split into two parts for precision).
 */

import { FitsError } from './errors.js';
import type { FitsHeader } from './header.js';
import { decodePixels, imageLayout, type ImageOutput } from './image.js';
import { checkAllocation } from './limits.js';

export interface FitsGroups {
  /** GCOUNT */
  readonly groupCount: number;
  /** PTYPEn, trimmed, in order (PCOUNT of them). */
  readonly parameterNames: readonly string[];
  /** Physical parameter values, group after group: parameters[g * PCOUNT + k]. */
  readonly parameters: Float64Array;
  /** Shape of each group's array: [NAXIS2, ..., NAXISn] (NAXIS2 fastest). */
  readonly shape: readonly number[];
  /** The arrays of all groups, group after group (physical values, image.ts output rule). */
  readonly data: Float32Array | Float64Array;
  /** Values of a parameter for every group (same-named parameters summed); throws if unknown. */
  parameter(name: string): Float64Array;
}

export function readGroups(
  header: FitsHeader,
  bytes: Uint8Array,
  dataOffset: number,
  naxes: readonly number[],
  pcount: number,
  gcount: number,
  maxBytes: number,
  output: ImageOutput,
  ctx: string,
): FitsGroups {
  const layout = imageLayout(header, ctx);
  const width = Math.abs(layout.bitpix) / 8;
  const shape = naxes.slice(1);
  let groupSize = 1;
  for (const n of shape) groupSize *= n;
  const kind = output === 'auto' ? layout.autoOutput : output;
  checkAllocation(gcount * (pcount * 8 + groupSize * (kind === 'float32' ? 4 : 8)), maxBytes, ctx, `the random groups (GCOUNT = ${gcount}, PCOUNT = ${pcount})`);
  const names: string[] = [];
  const pscal: number[] = [];
  const pzero: number[] = [];
  for (let k = 1; k <= pcount; k++) {
    const t = header.get(`PTYPE${k}`);
    names.push(typeof t === 'string' ? t.trim() : '');
    const s = header.get(`PSCAL${k}`);
    const z = header.get(`PZERO${k}`);
    pscal.push(typeof s === 'number' ? s : 1);
    pzero.push(typeof z === 'number' ? z : 0);
  }
  // stored values of one group, decoded without scaling (parameters) and with it (array)
  const rawLayout = { ...layout, bscale: 1, bzero: 0, blank: undefined, autoOutput: 'float64' as const };
  const parameters = new Float64Array(gcount * pcount);
  const data = kind === 'float32' ? new Float32Array(gcount * groupSize) : new Float64Array(gcount * groupSize);
  const stride = (pcount + groupSize) * width;
  for (let g = 0; g < gcount; g++) {
    const at = dataOffset + g * stride;
    if (pcount > 0) {
      const p = decodePixels(bytes, at, pcount, rawLayout, 'float64');
      for (let k = 0; k < pcount; k++) parameters[g * pcount + k] = pzero[k]! + pscal[k]! * p[k]!;
    }
    if (groupSize > 0) data.set(decodePixels(bytes, at + pcount * width, groupSize, layout, kind), g * groupSize);
  }
  return {
    groupCount: gcount,
    parameterNames: names,
    parameters,
    shape,
    data,
    parameter(name: string): Float64Array {
      const want = name.trim().toUpperCase();
      const idx = names.map((n, k) => (n.toUpperCase() === want ? k : -1)).filter((k) => k >= 0);
      if (idx.length === 0) throw new FitsError('BAD_ARGUMENT', `${ctx}no random-groups parameter ${JSON.stringify(name)} (PTYPEn: ${names.join(', ')})`);
      const out = new Float64Array(gcount);
      for (let g = 0; g < gcount; g++) for (const k of idx) out[g]! += parameters[g * pcount + k]!;
      return out;
    },
  };
}
