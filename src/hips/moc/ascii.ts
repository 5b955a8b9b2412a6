// MOC 2.0 ASCII serialisation (STANDARDS.md A3):
//   moc    ::= ordval (sep+ ordval)* [sep+ order '/']
//   ordval ::= [prefix] order '/' sep* (val (sep+ val)*)?      val ::= int | int '-' int
// prefix 's' (space) / 't' (time); an ST-MOC alternates t… and s… sections:
//   `t61/1 3 5 s3/1-3 4/ t61/50 52 s4/25`. Separators: white space or ','. The MOC order is the
// deepest order mentioned (including a trailing empty `order/`). Reading is lenient about
// order and redundancy (cells are merged); writing is canonical.
import { MocParseError } from './errors.js';
import type { CellInterval, MocDim, Section } from './sections.js';

const MAX_DIGITS = 20;

function isSep(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 44;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parses ASCII MOC text into sections (see sections.ts). Throws MocParseError with the offset. */
export function parseAsciiSections(text: string): Section[] {
  if (typeof text !== 'string') throw new MocParseError(`ASCII MOC must be a string, got ${typeof text}`, 'input');
  const sections: Section[] = [];
  let cur: Section | null = null;
  let order = -1;
  let i = 0;
  const len = text.length;
  const at = (k: number): string => `character ${k}`;

  const readInt = (): bigint => {
    const start = i;
    while (i < len && isDigit(text.charCodeAt(i))) i++;
    if (i === start) {
      throw new MocParseError(
        i < len ? `expected a digit, found ${JSON.stringify(text[i])}` : 'expected a digit, found the end of the text',
        at(i),
      );
    }
    if (i - start > MAX_DIGITS) throw new MocParseError(`number ${text.slice(start, start + 24)}… is too long`, at(start));
    return BigInt(text.slice(start, i));
  };

  const setOrder = (value: bigint, where: number): void => {
    if (value > 61n) throw new MocParseError(`order ${value} is deeper than 61`, at(where));
    order = Number(value);
    if (cur !== null && order > cur.maxOrder) cur.maxOrder = order;
  };

  const startSection = (dim: MocDim | null, where: number): void => {
    cur = { dim, items: [], maxOrder: -1, where: at(where) };
    sections.push(cur);
    order = -1;
  };

  const needSepOrEnd = (): void => {
    if (i < len && !isSep(text.charCodeAt(i))) {
      throw new MocParseError(`unexpected ${JSON.stringify(text[i])} (expected a separator)`, at(i));
    }
  };

  while (i < len) {
    const c = text.charCodeAt(i);
    if (isSep(c)) {
      i++;
      continue;
    }
    if (c === 115 /* s */ || c === 116 /* t */) {
      const dim: MocDim = c === 115 ? 's' : 't';
      const where = i;
      if (cur !== null && (cur as Section).dim === null) {
        throw new MocParseError(`prefix '${dim}' after cells without a prefix`, at(where));
      }
      i++;
      const value = readInt();
      if (text.charCodeAt(i) !== 47 /* / */) {
        throw new MocParseError(`expected '/' after the order of prefix '${dim}'`, at(i));
      }
      i++;
      if (cur === null || (cur as Section).dim !== dim) startSection(dim, where);
      setOrder(value, where);
      continue;
    }
    if (isDigit(c)) {
      const where = i;
      const a = readInt();
      const next = text.charCodeAt(i);
      if (next === 47 /* / */) {
        i++;
        if (cur === null) startSection(null, where);
        setOrder(a, where);
        continue;
      }
      let b = a;
      if (next === 45 /* - */) {
        i++;
        b = readInt();
      }
      needSepOrEnd();
      if (cur === null || order < 0) throw new MocParseError('cell index before any order', at(where));
      const item: CellInterval = { order, lo: a, hi: b, where: at(where) };
      (cur as Section).items.push(item);
      continue;
    }
    throw new MocParseError(`unexpected ${JSON.stringify(text[i])}`, at(i));
  }
  if (sections.length === 0) throw new MocParseError('no order found (empty MOC text)', at(0));
  return sections;
}

/**
 * Canonical ASCII of one MOC section: per order ascending, cells ascending, runs of consecutive
 * cells as `lo-hi`, and a trailing `maxOrder/` when maxOrder is deeper than the last order with
 * cells (or when there are none). `prefix` ('s', 't' or '') goes before the first order.
 */
export function formatAscii(perOrder: readonly (readonly bigint[])[], maxOrder: number, prefix = ''): string {
  const parts: string[] = [];
  let last = -1;
  for (let o = 0; o < perOrder.length; o++) {
    const cells = perOrder[o];
    if (cells.length === 0) continue;
    const vals: string[] = [];
    let k = 0;
    while (k < cells.length) {
      let m = k;
      while (m + 1 < cells.length && cells[m + 1] === cells[m] + 1n) m++;
      vals.push(m > k ? `${cells[k]}-${cells[m]}` : `${cells[k]}`);
      k = m + 1;
    }
    parts.push(`${parts.length === 0 ? prefix : ''}${o}/${vals.join(' ')}`);
    last = o;
  }
  if (last < maxOrder || parts.length === 0) parts.push(`${parts.length === 0 ? prefix : ''}${maxOrder}/`);
  return parts.join(' ');
}
