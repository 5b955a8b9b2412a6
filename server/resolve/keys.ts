/**
 * Lookup keys of object names (pure): the same function normalises a catalogue's names at ingest
 * and a user's query at resolve time, so "NGC 1976", "ngc1976" and "NGC 01976" meet, as do
 * "α Ori", "alpha Ori" and "alf ori", or "TYC 4774-1066-1" and "4774-01066-1".
 */

const GREEK: ReadonlyArray<[string, string, string]> = [
  ['α', 'alf', 'alpha'], ['β', 'bet', 'beta'], ['γ', 'gam', 'gamma'], ['δ', 'del', 'delta'],
  ['ε', 'eps', 'epsilon'], ['ζ', 'zet', 'zeta'], ['η', 'eta', 'eta'], ['θ', 'the', 'theta'],
  ['ι', 'iot', 'iota'], ['κ', 'kap', 'kappa'], ['λ', 'lam', 'lambda'], ['μ', 'mu', 'mu'],
  ['ν', 'nu', 'nu'], ['ξ', 'xi', 'xi'], ['ο', 'omi', 'omicron'], ['π', 'pi', 'pi'],
  ['ρ', 'rho', 'rho'], ['σ', 'sig', 'sigma'], ['τ', 'tau', 'tau'], ['υ', 'ups', 'upsilon'],
  ['φ', 'phi', 'phi'], ['χ', 'chi', 'chi'], ['ψ', 'psi', 'psi'], ['ω', 'ome', 'omega'],
];
const BY_LETTER = new Map(GREEK.map(([g, abbr]) => [g, abbr]));
const BY_WORD = new Map(GREEK.flatMap(([, abbr, word]) => [[word, abbr], [abbr, abbr]] as Array<[string, string]>));

/** Lower case, blanks squeezed to one space, NFKC (thin spaces, superscripts). */
function squeeze(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Key of a catalogue designation "<letters> <number>" (Messier, NGC, IC, PGC, HD, HIP…): the
 * letters and the number without blanks or leading zeros ("ngc1976", "m42", "hd39801"); other
 * text is squeezed ("crab nebula").
 */
export function designationKey(text: string): string {
  const s = squeeze(text).replace(/^messier(?=[\s\d])/, 'm');
  const m = /^([a-z][a-z0-9]*?)\s*[- ]?\s*0*(\d+(?:[a-z]|\.\d+)?)$/.exec(s);
  if (m !== null) return `${m[1]}${m[2]}`;
  return s;
}

/**
 * Key of a Bayer or Flamsteed designation: Greek letter as its 3-letter abbreviation, an
 * optional superscript number, the constellation ("alf ori", "bet1 cyg", "58 ori"), or
 * undefined when the text is not of that form.
 */
export function stellarDesignationKey(text: string): string | undefined {
  const s = squeeze(text);
  const m = /^([^\s\d]+|\d+)\s*(\d?)\s+([a-z]{3})$/.exec(s);
  if (m === null) return undefined;
  const [, head, sup, con] = m as unknown as [string, string, string, string];
  if (/^\d+$/.test(head)) return sup === '' ? `${Number(head)} ${con}` : undefined;
  const letter = BY_LETTER.get(head[0]!) ?? undefined;
  // "α1" may arrive as one token: a Greek letter followed by its superscript digit
  if (letter !== undefined && head.length === 1) return `${letter}${sup} ${con}`;
  const word = BY_WORD.get(head);
  if (word !== undefined) return `${word}${sup} ${con}`;
  // a Latin-letter Bayer designation (c Ori, A Cen): kept as written
  if (/^[a-z]$/.test(head)) return `${head}${sup} ${con}`;
  return undefined;
}

/** Key of a proper name ("Betelgeuse", "Barnard's Star"): squeezed, quote marks dropped. */
export function properNameKey(text: string): string {
  return squeeze(text).replace(/['\u2019`]/g, '');
}

/** "TYC 4774-1066-1", "4774-01066-1" → "4774-1066-1"; undefined when not of that form. */
export function tychoKey(text: string): string | undefined {
  const m = /^(?:tyc\s*)?(\d{1,4})\s*-\s*(\d{1,5})\s*-\s*(\d)$/.exec(squeeze(text));
  return m === null ? undefined : `${Number(m[1])}-${Number(m[2])}-${Number(m[3])}`;
}

/** "HIP 27989", "hip27989" → 27989; undefined when not of that form. */
export function hipNumber(text: string): number | undefined {
  const m = /^hip\s*0*(\d{1,6})$/.exec(squeeze(text));
  return m === null ? undefined : Number(m[1]);
}
