// One entry point for any MOC: FITS bytes (starts with SIMPLE), JSON text ({…} / […]) or ASCII.
import { parseAsciiSections } from './ascii.js';
import { MocParseError } from './errors.js';
import { readFitsMocColumn } from './fits.js';
import { parseJsonSections } from './json.js';
import type { Section } from './sections.js';
import { SpaceMoc } from './spaceMoc.js';
import { SpaceTimeMoc } from './spaceTimeMoc.js';
import { TimeMoc } from './timeMoc.js';

export type AnyMoc = SpaceMoc | TimeMoc | SpaceTimeMoc;

/**
 * One section: 't' -> time; 's' -> space; no prefix -> space, unless it uses orders deeper than
 * 29, which only a time MOC can have (the MOC 2.0 T-MOC example `31/1 32/4 35/` has no prefix).
 */
function fromSections(sections: Section[]): AnyMoc {
  if (sections.length === 1) {
    const s = sections[0];
    const time = s.dim === 't' || (s.dim === null && s.maxOrder > SpaceMoc.DEPTH);
    return time ? TimeMoc.fromSections(sections) : SpaceMoc.fromSections(sections);
  }
  return SpaceTimeMoc.fromSections(sections);
}

/** Parses MOC text: JSON when it starts with '{' or '[', ASCII otherwise. */
export function parseMoc(text: string): AnyMoc {
  if (typeof text !== 'string') throw new MocParseError(`MOC text must be a string, got ${typeof text}`, 'input');
  const first = text.trimStart()[0];
  return fromSections(first === '{' || first === '[' ? parseJsonSections(text) : parseAsciiSections(text));
}

/** Reads a MOC from a FITS file's bytes, or from ASCII / JSON text (string or bytes). */
export function readMoc(input: string | ArrayBufferLike | ArrayBufferView): AnyMoc {
  if (typeof input === 'string') return parseMoc(input);
  const bytes =
    input instanceof Uint8Array
      ? input
      : ArrayBuffer.isView(input)
        ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : new Uint8Array(input);
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'SIMPLE') {
    const col = readFitsMocColumn(bytes);
    if (col.dim === 'SPACE') return SpaceMoc.fromFitsColumn(col);
    if (col.dim === 'TIME') return TimeMoc.fromFitsColumn(col);
    return SpaceTimeMoc.fromFitsColumn(col);
  }
  return parseMoc(new TextDecoder('utf-8').decode(bytes));
}
