// MOC JSON (MOC 2.0 suggestion, STANDARDS.md A3): `{"1":[1,2,4],"2":[12,13,14,21,23,25],"8":[]}`
// (keys = orders, values = cell indices; an empty list declares a deeper MOC order), wrapped as
// {"s":{…}} or {"t":{…}}; an ST-MOC is an array of alternating {"t":…},{"s":…} objects.
// Cell indices reach 3.5e18, past 2^53, so a small JSON reader that keeps integers as bigint is
// used instead of JSON.parse.
import { MocParseError } from './errors.js';
import type { MocDim, Section } from './sections.js';

type Node =
  | { kind: 'object'; at: number; entries: Array<[string, Node, number]> }
  | { kind: 'array'; at: number; items: Node[] }
  | { kind: 'int'; at: number; value: bigint }
  | { kind: 'other'; at: number; text: string };

const MAX_DEPTH = 64;

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  fail(msg: string, at = this.i): never {
    throw new MocParseError(msg, `character ${at}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(depth: number): Node {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    this.ws();
    const s = this.s;
    const at = this.i;
    if (at >= s.length) this.fail('unexpected end of JSON');
    const c = s[at];
    if (c === '{') {
      this.i++;
      const entries: Array<[string, Node, number]> = [];
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return { kind: 'object', at, entries };
      }
      for (;;) {
        this.ws();
        const keyAt = this.i;
        if (s[this.i] !== '"') this.fail(`expected a "key", found ${JSON.stringify(s[this.i] ?? 'end')}`);
        const key = this.string();
        this.ws();
        if (s[this.i] !== ':') this.fail(`expected ':' after key ${JSON.stringify(key)}`);
        this.i++;
        entries.push([key, this.value(depth + 1), keyAt]);
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === '}') {
          this.i++;
          return { kind: 'object', at, entries };
        }
        this.fail(`expected ',' or '}', found ${JSON.stringify(s[this.i] ?? 'end')}`);
      }
    }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return { kind: 'array', at, items };
      }
      for (;;) {
        items.push(this.value(depth + 1));
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (s[this.i] === ']') {
          this.i++;
          return { kind: 'array', at, items };
        }
        this.fail(`expected ',' or ']', found ${JSON.stringify(s[this.i] ?? 'end')}`);
      }
    }
    if (c === '"') return { kind: 'other', at, text: JSON.stringify(this.string()) };
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(at, at + 400));
    if (m !== null) {
      this.i += m[0].length;
      if (m[1] === undefined && m[2] === undefined && m[0].length <= 21) {
        return { kind: 'int', at, value: BigInt(m[0]) };
      }
      return { kind: 'other', at, text: m[0] };
    }
    for (const word of ['true', 'false', 'null']) {
      if (s.startsWith(word, at)) {
        this.i += word.length;
        return { kind: 'other', at, text: word };
      }
    }
    this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    let out = '';
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const e = s[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.i += 2;
          continue;
        }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(s.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
          continue;
        }
        this.fail('bad escape in string');
      }
      if (c.charCodeAt(0) < 32) this.fail('control character in string');
      out += c;
      this.i++;
    }
    this.fail('unterminated string', start);
  }
}

function parseNode(text: string): Node {
  if (typeof text !== 'string') throw new MocParseError(`JSON MOC must be a string, got ${typeof text}`, 'input');
  const r = new Reader(text);
  const root = r.value(0);
  r.ws();
  if (r.i < text.length) r.fail('unexpected text after the JSON value');
  return root;
}

function orderMap(node: Node, dim: MocDim | null, where: string): Section {
  if (node.kind !== 'object') throw new MocParseError('expected an object {"order": [cells…]}', where);
  const section: Section = { dim, items: [], maxOrder: -1, where };
  for (const [key, value, keyAt] of node.entries) {
    const kw = `key ${JSON.stringify(key)} (character ${keyAt})`;
    if (!/^\d{1,2}$/.test(key) || Number(key) > 61) {
      throw new MocParseError(`key ${JSON.stringify(key)} is not an order 0..61`, kw);
    }
    const order = Number(key);
    if (order > section.maxOrder) section.maxOrder = order;
    if (value.kind !== 'array') throw new MocParseError('expected an array of cell indices', kw);
    value.items.forEach((item, k) => {
      if (item.kind !== 'int' || item.value < 0n) {
        const shown = item.kind === 'other' ? item.text : item.kind;
        throw new MocParseError(`element ${k} (${shown}) is not a non-negative integer`, kw);
      }
      section.items.push({ order, lo: item.value, hi: item.value, where: `${kw}, element ${k}` });
    });
  }
  return section;
}

/** Parses MOC JSON into sections (see sections.ts). Throws MocParseError naming the key. */
export function parseJsonSections(text: string): Section[] {
  const root = parseNode(text);
  if (root.kind === 'array') {
    return root.items.map((item, k) => {
      const where = `element ${k} (character ${item.at})`;
      if (item.kind !== 'object' || item.entries.length !== 1 || !['s', 't'].includes(item.entries[0][0])) {
        throw new MocParseError('expected {"t": {…}} or {"s": {…}}', where);
      }
      const [key, value] = item.entries[0];
      return orderMap(value, key as MocDim, `key "${key}" of ${where}`);
    });
  }
  if (root.kind === 'object') {
    if (root.entries.length === 1 && (root.entries[0][0] === 's' || root.entries[0][0] === 't')) {
      const [key, value] = root.entries[0];
      return [orderMap(value, key as MocDim, `key "${key}"`)];
    }
    return [orderMap(root, null, 'the top-level object')];
  }
  throw new MocParseError('expected a JSON object or array', 'character 0');
}

/** `{"1":[1,2,4],…,"8":[]}`: cells per order, then the MOC order with [] when deeper. */
export function formatJson(perOrder: readonly (readonly bigint[])[], maxOrder: number): string {
  const parts: string[] = [];
  let last = -1;
  for (let o = 0; o < perOrder.length; o++) {
    if (perOrder[o].length === 0) continue;
    parts.push(`"${o}":[${perOrder[o].join(',')}]`);
    last = o;
  }
  if (last < maxOrder || parts.length === 0) parts.push(`"${maxOrder}":[]`);
  return `{${parts.join(',')}}`;
}
