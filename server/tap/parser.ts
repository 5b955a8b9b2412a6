/**
 * ADQL 2.1 (the subset in docs/tap.md) -> syntax tree, by recursive descent over the tokens of
 * lexer.ts. Pure. Every failure is an AdqlError that names the line, the column and the token
 * found (never a crash: nesting is bounded, numbers are checked).
 */
import type { CmpOp, Cond, Expr, Join, OrderItem, Pos, Select, SelectItem, TableRef } from './ast.js';
import { AdqlError, tokenize, type Token } from './lexer.js';

/** Words that end an expression or a name (cannot be bare aliases). */
const RESERVED = new Set(
  (
    'SELECT FROM WHERE GROUP ORDER HAVING OFFSET JOIN INNER LEFT RIGHT FULL OUTER CROSS NATURAL ON USING AS AND OR ' +
    'NOT BETWEEN IN LIKE ILIKE IS NULL ASC DESC TOP DISTINCT ALL BY UNION EXCEPT INTERSECT CASE WHEN THEN ELSE END ' +
    'LIMIT WITH'
  ).split(' '),
);

const AGGREGATES = new Set(['COUNT', 'MIN', 'MAX', 'AVG', 'SUM']);
/** Deepest nesting of parentheses / operators accepted. */
const MAX_DEPTH = 200;

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return `string '${t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text}'`;
    case 'delimited':
      return `identifier "${t.text}"`;
    case 'number':
      return `number ${t.text}`;
    default:
      return `"${t.text}"`;
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly t: Token[]) {}

  private peek(o = 0): Token {
    return this.t[Math.min(this.i + o, this.t.length - 1)]!;
  }

  private next(): Token {
    const tok = this.peek();
    if (this.i < this.t.length - 1) this.i++;
    return tok;
  }

  private isWord(w: string, o = 0): boolean {
    const tok = this.peek(o);
    return tok.kind === 'word' && tok.text.toUpperCase() === w;
  }

  private isOp(op: string, o = 0): boolean {
    const tok = this.peek(o);
    return tok.kind === 'op' && tok.text === op;
  }

  private acceptWord(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.next();
    return true;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  fail(expected: string, tok = this.peek()): never {
    let hint = '';
    if (tok.kind === 'word' && tok.text.toUpperCase() === 'LIMIT') hint = ' (ADQL has no LIMIT: write SELECT TOP n)';
    throw new AdqlError(`expected ${expected} but found ${describe(tok)}${hint}`, tok.line, tok.column);
  }

  private expectWord(w: string): void {
    if (!this.acceptWord(w)) this.fail(w);
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`"${op}"`);
  }

  private pos(tok = this.peek()): Pos {
    return { line: tok.line, column: tok.column };
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      const tok = this.peek();
      throw new AdqlError(`the query is nested more than ${MAX_DEPTH} levels deep`, tok.line, tok.column);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private integer(what: string): number {
    const tok = this.peek();
    if (tok.kind !== 'number' || !/^\d+$/.test(tok.text)) this.fail(`a whole number for ${what}`);
    const v = Number(tok.text);
    if (!Number.isSafeInteger(v)) throw new AdqlError(`${what} ${tok.text} is too large`, tok.line, tok.column);
    this.next();
    return v;
  }

  /** A regular or delimited identifier (not a reserved word). */
  private identifier(what: string): string {
    const tok = this.peek();
    if (tok.kind === 'delimited') {
      this.next();
      return tok.text;
    }
    if (tok.kind === 'word' && !RESERVED.has(tok.text.toUpperCase())) {
      this.next();
      return tok.text;
    }
    return this.fail(what);
  }

  private dotted(what: string): string[] {
    const parts = [this.identifier(what)];
    while (this.isOp('.') && this.peek(1).kind !== 'op') {
      this.next();
      parts.push(this.identifier(what));
      if (parts.length > 3) this.fail(`at most three dotted parts in a name`);
    }
    return parts;
  }

  query(): Select {
    const s = this.select();
    this.acceptOp(';');
    if (this.peek().kind !== 'eof') this.fail('the end of the query');
    return s;
  }

  private select(): Select {
    this.expectWord('SELECT');
    let distinct = false;
    if (this.acceptWord('DISTINCT')) distinct = true;
    else this.acceptWord('ALL');
    let top: number | null = null;
    if (this.acceptWord('TOP')) top = this.integer('TOP');
    const items: SelectItem[] = [this.selectItem()];
    while (this.acceptOp(',')) items.push(this.selectItem());
    this.expectWord('FROM');
    const from = this.tableRef();
    const joins: Join[] = [];
    for (;;) {
      const j = this.join();
      if (j === null) break;
      joins.push(j);
    }
    const where = this.acceptWord('WHERE') ? this.cond() : null;
    const groupBy: Expr[] = [];
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      groupBy.push(this.expr());
      while (this.acceptOp(',')) groupBy.push(this.expr());
    }
    const having = this.acceptWord('HAVING') ? this.cond() : null;
    const orderBy: OrderItem[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        const e = this.expr();
        let desc = false;
        if (this.acceptWord('DESC')) desc = true;
        else this.acceptWord('ASC');
        orderBy.push({ e, desc });
      } while (this.acceptOp(','));
    }
    const offset = this.acceptWord('OFFSET') ? this.integer('OFFSET') : null;
    for (const w of ['UNION', 'EXCEPT', 'INTERSECT']) {
      if (this.isWord(w)) {
        const tok = this.peek();
        throw new AdqlError(`${w} is not supported by this service`, tok.line, tok.column);
      }
    }
    return { distinct, top, items, from, joins, where, groupBy, having, orderBy, offset };
  }

  private selectItem(): SelectItem {
    const start = this.peek();
    if (this.acceptOp('*')) return { k: 'star', table: null, pos: this.pos(start) };
    // t.* / s.t.*
    const name = (o: number): boolean => this.peek(o).kind === 'word' || this.peek(o).kind === 'delimited';
    const starAt = name(0) && this.isOp('.', 1) && this.isOp('*', 2) ? 1 : name(0) && this.isOp('.', 1) && name(2) && this.isOp('.', 3) && this.isOp('*', 4) ? 2 : 0;
    if (starAt > 0) {
      const parts = [this.identifier('a table name')];
      this.next();
      if (starAt === 2) {
        parts.push(this.identifier('a table name'));
        this.next();
      }
      this.next();
      return { k: 'star', table: parts, pos: this.pos(start) };
    }
    const e = this.expr();
    let alias: string | null = null;
    if (this.acceptWord('AS')) alias = this.identifier('an alias after AS');
    else if (this.peek().kind === 'delimited' || (this.peek().kind === 'word' && !RESERVED.has(this.peek().text.toUpperCase()))) {
      alias = this.identifier('an alias');
    }
    return { k: 'expr', e, alias };
  }

  private tableRef(): TableRef {
    const start = this.peek();
    if (this.isOp('(')) {
      throw new AdqlError('sub-queries in FROM are not supported by this service', start.line, start.column);
    }
    const parts = this.dotted('a table name');
    if (parts.length > 2) {
      throw new AdqlError(`table name ${parts.join('.')} has more than two parts (schema.table)`, start.line, start.column);
    }
    let alias: string | null = null;
    if (this.acceptWord('AS')) alias = this.identifier('an alias after AS');
    else if (this.peek().kind === 'delimited' || (this.peek().kind === 'word' && !RESERVED.has(this.peek().text.toUpperCase()))) {
      alias = this.identifier('an alias');
    }
    return { parts, alias, pos: this.pos(start) };
  }

  private join(): Join | null {
    if (this.acceptOp(',')) return { type: 'cross', table: this.tableRef(), on: null, using: null };
    const tok = this.peek();
    if (this.isWord('NATURAL') || this.isWord('RIGHT') || this.isWord('FULL')) {
      throw new AdqlError(`${tok.text.toUpperCase()} JOIN is not supported by this service (use INNER or LEFT JOIN … ON)`, tok.line, tok.column);
    }
    let type: Join['type'];
    if (this.acceptWord('CROSS')) {
      this.expectWord('JOIN');
      return { type: 'cross', table: this.tableRef(), on: null, using: null };
    } else if (this.acceptWord('LEFT')) {
      this.acceptWord('OUTER');
      this.expectWord('JOIN');
      type = 'left';
    } else if (this.acceptWord('INNER')) {
      this.expectWord('JOIN');
      type = 'inner';
    } else if (this.acceptWord('JOIN')) {
      type = 'inner';
    } else return null;
    const table = this.tableRef();
    if (this.acceptWord('ON')) return { type, table, on: this.cond(), using: null };
    if (this.acceptWord('USING')) {
      this.expectOp('(');
      const using = [this.identifier('a column name')];
      while (this.acceptOp(',')) using.push(this.identifier('a column name'));
      this.expectOp(')');
      return { type, table, on: null, using };
    }
    return this.fail('ON or USING after the joined table');
  }

  // conditions ---------------------------------------------------------------------------------

  cond(): Cond {
    this.enter();
    let c = this.andCond();
    while (this.acceptWord('OR')) c = { k: 'or', l: c, r: this.andCond() };
    this.leave();
    return c;
  }

  private andCond(): Cond {
    let c = this.notCond();
    while (this.acceptWord('AND')) c = { k: 'and', l: c, r: this.notCond() };
    return c;
  }

  private notCond(): Cond {
    if (this.acceptWord('NOT')) {
      this.enter();
      const c: Cond = { k: 'not', c: this.notCond() };
      this.leave();
      return c;
    }
    if (this.isOp('(')) {
      // "(cond)" or an expression that starts with "(": try the condition first
      const save = this.i;
      const depth = this.depth;
      let condErr: AdqlError | undefined;
      try {
        this.next();
        const c = this.cond();
        this.expectOp(')');
        // "(a > 1) = …" is not a condition: only accept when no comparison follows
        if (!this.isComparisonNext()) return c;
      } catch (err) {
        if (!(err instanceof AdqlError)) throw err;
        condErr = err;
      }
      const condEnd = this.i;
      this.i = save;
      this.depth = depth; // a failed attempt left its levels entered
      try {
        return this.predicate();
      } catch (err) {
        if (!(err instanceof AdqlError) || condErr === undefined) throw err;
        // report the attempt that got further
        throw this.i >= condEnd ? err : condErr;
      }
    }
    return this.predicate();
  }

  private isComparisonNext(): boolean {
    const tok = this.peek();
    if (tok.kind === 'op') return ['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '||'].includes(tok.text);
    return tok.kind === 'word' && ['BETWEEN', 'IN', 'LIKE', 'ILIKE', 'IS', 'NOT'].includes(tok.text.toUpperCase());
  }

  private predicate(): Cond {
    const e = this.expr();
    const tok = this.peek();
    if (tok.kind === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(tok.text)) {
      this.next();
      return { k: 'cmp', op: tok.text as CmpOp, l: e, r: this.expr() };
    }
    if (this.acceptWord('IS')) {
      const not = this.acceptWord('NOT');
      this.expectWord('NULL');
      return { k: 'isnull', e, not };
    }
    const not = this.acceptWord('NOT');
    if (this.acceptWord('BETWEEN')) {
      const lo = this.expr();
      this.expectWord('AND');
      return { k: 'between', e, lo, hi: this.expr(), not };
    }
    if (this.acceptWord('IN')) {
      this.expectOp('(');
      if (this.isWord('SELECT')) {
        const s = this.peek();
        throw new AdqlError('sub-queries in IN are not supported by this service', s.line, s.column);
      }
      const list = [this.expr()];
      while (this.acceptOp(',')) list.push(this.expr());
      this.expectOp(')');
      return { k: 'in', e, list, not };
    }
    if (this.isWord('LIKE') || this.isWord('ILIKE')) {
      const ilike = this.next().text.toUpperCase() === 'ILIKE';
      return { k: 'like', e, pattern: this.expr(), not, ilike };
    }
    return this.fail(not ? 'BETWEEN, IN, LIKE or ILIKE after NOT' : 'a comparison (=, <>, <, <=, >, >=, BETWEEN, IN, LIKE, IS NULL)');
  }

  // expressions --------------------------------------------------------------------------------

  expr(): Expr {
    this.enter();
    let e = this.term();
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'op' && (tok.text === '+' || tok.text === '-' || tok.text === '||')) {
        this.next();
        e = { k: 'bin', op: tok.text, l: e, r: this.term() };
      } else break;
    }
    this.leave();
    return e;
  }

  private term(): Expr {
    let e = this.unary();
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'op' && (tok.text === '*' || tok.text === '/')) {
        this.next();
        e = { k: 'bin', op: tok.text, l: e, r: this.unary() };
      } else break;
    }
    return e;
  }

  private unary(): Expr {
    if (this.acceptOp('-')) {
      this.enter();
      const inner = this.unary();
      this.leave();
      if (inner.k === 'num') return { ...inner, value: -inner.value, text: '-' + inner.text };
      return { k: 'neg', e: inner };
    }
    if (this.acceptOp('+')) {
      this.enter();
      const inner = this.unary();
      this.leave();
      return inner;
    }
    return this.primary();
  }

  private primary(): Expr {
    const tok = this.peek();
    if (tok.kind === 'number') {
      this.next();
      const value = Number(tok.text);
      if (!Number.isFinite(value)) throw new AdqlError(`number ${tok.text} is out of range`, tok.line, tok.column);
      const isInt = /^\d+$/.test(tok.text);
      if (isInt && !Number.isSafeInteger(value)) {
        throw new AdqlError(`integer ${tok.text} is larger than 2^53`, tok.line, tok.column);
      }
      return { k: 'num', value, isInt, text: tok.text };
    }
    if (tok.kind === 'string') {
      this.next();
      return { k: 'str', value: tok.text };
    }
    if (tok.kind === 'op' && tok.text === '(') {
      this.next();
      if (this.isWord('SELECT')) throw new AdqlError('sub-queries are not supported by this service', tok.line, tok.column);
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (tok.kind === 'word') {
      const up = tok.text.toUpperCase();
      if (up === 'NULL') {
        this.next();
        return { k: 'null' };
      }
      if (up === 'CASE') return this.caseExpr();
      if (this.isOp('(', 1)) {
        if (RESERVED.has(up)) this.fail('an expression');
        this.next();
        this.next();
        if (AGGREGATES.has(up)) return this.aggregate(up as 'COUNT', tok);
        const args: Expr[] = [];
        if (!this.acceptOp(')')) {
          do args.push(this.expr());
          while (this.acceptOp(','));
          this.expectOp(')');
        }
        return { k: 'func', name: up, args, pos: this.pos(tok) };
      }
      if (RESERVED.has(up)) this.fail('an expression');
    }
    if (tok.kind === 'word' || tok.kind === 'delimited') {
      return { k: 'col', parts: this.dotted('a column name'), pos: this.pos(tok) };
    }
    return this.fail('an expression');
  }

  private aggregate(name: 'COUNT' | 'MIN' | 'MAX' | 'AVG' | 'SUM', tok: Token): Expr {
    const distinct = this.acceptWord('DISTINCT');
    if (!distinct) this.acceptWord('ALL');
    if (name === 'COUNT' && !distinct && this.acceptOp('*')) {
      this.expectOp(')');
      return { k: 'agg', name, distinct, arg: null, pos: this.pos(tok) };
    }
    const arg = this.expr();
    this.expectOp(')');
    return { k: 'agg', name, distinct, arg, pos: this.pos(tok) };
  }

  private caseExpr(): Expr {
    this.expectWord('CASE');
    const whens: Array<{ when: Cond; then: Expr }> = [];
    while (this.acceptWord('WHEN')) {
      const when = this.cond();
      this.expectWord('THEN');
      whens.push({ when, then: this.expr() });
    }
    if (whens.length === 0) this.fail('WHEN');
    const els = this.acceptWord('ELSE') ? this.expr() : null;
    this.expectWord('END');
    return { k: 'case', whens, else: els };
  }
}

/** Parses one ADQL SELECT statement. @throws AdqlError naming the line, column and token. */
export function parseAdql(text: string): Select {
  const tokens = tokenize(text);
  if (tokens.length === 1) throw new AdqlError('the query is empty');
  return new Parser(tokens).query();
}
