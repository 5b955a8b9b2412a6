// Fuzz: 3,000 seeded mutations of real VOTables (TABLEDATA, BINARY, BINARY2, FITS) and CSV/TSV —
// bit flips, truncations, inserted markup and garbage, deleted/duplicated ranges, rewritten
// datatype/arraysize/null attributes, mutated bytes inside base64 STREAMs. Every input must
// parse (and its position columns be found) or throw a TableError: never another exception,
// never hang (each input has a time budget, the test a timeout).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVoTable } from './votable.js';
import { parseDelimited } from './delimited.js';
import { findPositionColumns } from './positions.js';
import { TableError } from './table.js';

const SAMPLES = '/work/shared/data/votable_samples/';
const FIXTURES = new URL('../../../test/fixtures/tables/', import.meta.url);

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Source {
  name: string;
  kind: 'xml' | 'csv';
  text: string;
}

function esoExcerpt(): string {
  const full = readFileSync(SAMPLES + 'eso_obscore_1000rows_orion.xml', 'utf8');
  let at = 0;
  for (let k = 0; k < 15; k++) at = full.indexOf('</TR>', at) + 5;
  return full.slice(0, at) + '</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>';
}

function sources(): Source[] {
  const out: Source[] = [];
  for (const f of ['gemini.xml', 'irsa-nph-m31.xml', 'regression.xml', 'vizier_b2_votable.xml']) {
    out.push({ name: f, kind: 'xml', text: readFileSync(SAMPLES + f, 'utf8') });
  }
  out.push({ name: 'eso excerpt', kind: 'xml', text: esoExcerpt() });
  for (const f of [
    'regression.binary.xml',
    'regression.binary2.xml',
    'gemini.binary2.xml',
    'regression.stilts-binary2.xml',
    'vizier_b2_votable.stilts-binary2.xml',
    'irsa-nph-m31.stilts-fits.xml',
    'regression.stilts-fits.xml',
  ]) {
    out.push({ name: f, kind: 'xml', text: readFileSync(new URL(`binary/${f}`, FIXTURES), 'utf8') });
  }
  for (const f of ['quoted.csv', 'vizier.tsv', 'whitespace.txt', 'semicolon.csv', 'units.csv']) {
    out.push({ name: f, kind: 'csv', text: readFileSync(new URL(`csv/${f}`, FIXTURES), 'utf8') });
  }
  const pm = parseVoTable(readFileSync(SAMPLES + 'proper_motion.xml', 'utf8')).tables[0];
  const rows: string[] = [pm.columns.map((c) => c.name).join(',')];
  for (let i = 0; i < 60; i++) rows.push(pm.columns.map((c) => String((c.values as ArrayLike<unknown>)[i])).join(','));
  out.push({ name: 'proper_motion.csv', kind: 'csv', text: rows.join('\n') + '\n' });
  return out;
}

const TOKENS = [
  '<', '>', '/>', '</TD>', '<TD>', '<TR>', '</TR>', '<TD/>', '</TABLE>', '<FIELD name="z" datatype="int"/>', '</DATA>',
  '&', '&amp;', '&#x110000;', '&#0;', '&#xD800;', '&bogus;', '<![CDATA[', ']]>', '<!--', '-->', '<?', '?>', '<!DOCTYPE x [',
  '"', "'", '=', ',', ';', '\t', '\n', '\r', ' ', '#', '""', '"a,b"', 'NaN', '-Inf', '0x', '1e999', '99999999999999999999',
  '<STREAM encoding="base64">', '</STREAM>', '<BINARY2>', '<FITS>', 'xmlns:v="x"', 'v:', '\u0000', '\uFFFD', 'é', '𝒳',
];
const ATTR_VALUES: Record<string, string[]> = {
  datatype: ['int', 'long', 'bit', 'boolean', 'char', 'unicodeChar', 'floatComplex', 'doubleComplex', 'unsignedByte', 'short', 'foo', ''],
  arraysize: ['*', '0', '1', '2x*', '3x2', '10*', '2x0x*', '99999999', '4294967296', '1e3', 'x', '**', '-1', ''],
  null: ['0', '-1', 'NaN', '', 'abc', '99999999999999999999999', '0x7f'],
  encoding: ['base64', 'gzip', '', 'dynamic'],
};

function mutate(src: Source, rnd: () => number): string {
  let t = src.text;
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  const pos = () => Math.floor(rnd() * (t.length + 1));
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const op = Math.floor(rnd() * 9);
    switch (op) {
      case 0: {
        // flip characters
        const m = 1 + Math.floor(rnd() * 8);
        const chars = t.split('');
        for (let j = 0; j < m && chars.length; j++) {
          const i = Math.floor(rnd() * chars.length);
          chars[i] = String.fromCharCode((chars[i].charCodeAt(0) ^ (1 << Math.floor(rnd() * 7))) & 0xffff);
        }
        t = chars.join('');
        break;
      }
      case 1:
        t = t.slice(0, pos());
        break;
      case 2: {
        const p = pos();
        t = t.slice(0, p) + pick(TOKENS) + t.slice(p);
        break;
      }
      case 3: {
        const a = pos();
        const b = Math.min(t.length, a + Math.floor(rnd() * 200));
        t = t.slice(0, a) + t.slice(b);
        break;
      }
      case 4: {
        const a = pos();
        const b = Math.min(t.length, a + Math.floor(rnd() * 300));
        t = t.slice(0, b) + t.slice(a, b) + t.slice(b);
        break;
      }
      case 5: {
        // rewrite an attribute value
        const attr = pick(Object.keys(ATTR_VALUES));
        const re = new RegExp(`${attr}="[^"]*"`, 'g');
        const hits = [...t.matchAll(re)];
        if (hits.length) {
          const h = pick(hits);
          t = t.slice(0, h.index) + `${attr}="${pick(ATTR_VALUES[attr])}"` + t.slice((h.index ?? 0) + h[0].length);
        }
        break;
      }
      case 6: {
        // mutate the bytes inside a base64 STREAM
        const m = /(<STREAM[^>]*>)([^<]*)(<\/STREAM>)/.exec(t);
        if (!m) break;
        const bytes = new Uint8Array(Buffer.from(m[2], 'base64'));
        const kind = Math.floor(rnd() * 4);
        let out: Uint8Array = bytes;
        if (kind === 0 && bytes.length) for (let j = 0; j < 4; j++) bytes[Math.floor(rnd() * bytes.length)] ^= 1 << Math.floor(rnd() * 8);
        else if (kind === 1) out = bytes.subarray(0, Math.floor(rnd() * bytes.length));
        else if (kind === 2 && bytes.length > 4) {
          const i = Math.floor(rnd() * (bytes.length - 4));
          bytes.set([0x7f, 0xff, 0xff, 0xff], i);
        } else out = new Uint8Array([...bytes, ...bytes.subarray(0, Math.floor(rnd() * 40))]);
        t = t.slice(0, m.index) + m[1] + Buffer.from(out).toString('base64') + m[3] + t.slice(m.index + m[0].length);
        break;
      }
      case 7: {
        // random garbage
        const p = pos();
        let g = '';
        const len = 1 + Math.floor(rnd() * 20);
        for (let j = 0; j < len; j++) g += String.fromCharCode(Math.floor(rnd() * 128));
        t = t.slice(0, p) + g + t.slice(p);
        break;
      }
      default: {
        // swap two lines
        const lines = t.split('\n');
        if (lines.length > 2) {
          const i = Math.floor(rnd() * lines.length);
          const j = Math.floor(rnd() * lines.length);
          [lines[i], lines[j]] = [lines[j], lines[i]];
          t = lines.join('\n');
        }
      }
    }
  }
  return t;
}

describe('fuzz', () => {
  it('3,000 mutated VOTables and CSVs: a table or a TableError, quickly', { timeout: 240_000 }, () => {
    const srcs = sources();
    // TABLES_FUZZ_SEED / TABLES_FUZZ_CASES explore further; the committed run is fixed
    const rnd = prng(Number(process.env.TABLES_FUZZ_SEED ?? 20250508));
    const cases = Number(process.env.TABLES_FUZZ_CASES ?? 3000);
    const counts = { ok: 0, tableError: 0 };
    const codes = new Map<string, number>();
    let slowest = 0;
    let slowestName = '';
    for (let i = 0; i < cases; i++) {
      const src = srcs[i % srcs.length];
      const text = mutate(src, rnd);
      const asBytes = rnd() < 0.3;
      const input = asBytes ? new TextEncoder().encode(text) : text;
      const t0 = performance.now();
      try {
        if (src.kind === 'xml') {
          const doc = parseVoTable(input);
          for (const t of doc.tables) findPositionColumns(t);
        } else {
          const t = parseDelimited(input);
          findPositionColumns(t);
        }
        counts.ok++;
      } catch (e) {
        if (!(e instanceof TableError)) {
          throw new Error(`case ${i} (${src.name}): ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}\ninput: ${JSON.stringify(text.slice(0, 2000))}`);
        }
        counts.tableError++;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      const ms = performance.now() - t0;
      if (ms > slowest) {
        slowest = ms;
        slowestName = `${i} ${src.name}`;
      }
    }
    expect(counts.ok + counts.tableError).toBe(cases);
    expect(counts.ok).toBeGreaterThan(cases / 10);
    expect(counts.tableError).toBeGreaterThan(cases / 10);
    expect(slowest, `slowest case ${slowestName}`).toBeLessThan(2000);
    console.log(`fuzz: ${counts.ok} parsed, ${counts.tableError} TableError ${JSON.stringify(Object.fromEntries(codes))}, slowest ${slowest.toFixed(1)} ms (${slowestName})`);
  });
});
