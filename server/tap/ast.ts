/**
 * The ADQL syntax tree the parser builds and the translator reads. Positions (line, column)
 * travel with names and functions so that later errors (unknown column, bad geometry) can say
 * where they are.
 */

export interface Pos {
  line: number;
  column: number;
}

export type Expr =
  | { k: 'num'; value: number; isInt: boolean; text: string }
  | { k: 'str'; value: string }
  | { k: 'null' }
  /** A column reference: 1 to 3 dotted parts ([schema.]table.column or column). */
  | { k: 'col'; parts: string[]; pos: Pos }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '||'; l: Expr; r: Expr }
  /** Scalar and geometry functions; name upper-case. */
  | { k: 'func'; name: string; args: Expr[]; pos: Pos }
  /** COUNT / MIN / MAX / AVG / SUM; arg null for COUNT(*). */
  | { k: 'agg'; name: 'COUNT' | 'MIN' | 'MAX' | 'AVG' | 'SUM'; distinct: boolean; arg: Expr | null; pos: Pos }
  | { k: 'case'; whens: Array<{ when: Cond; then: Expr }>; else: Expr | null };

export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Cond =
  | { k: 'and'; l: Cond; r: Cond }
  | { k: 'or'; l: Cond; r: Cond }
  | { k: 'not'; c: Cond }
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; not: boolean }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { k: 'like'; e: Expr; pattern: Expr; not: boolean; ilike: boolean }
  | { k: 'isnull'; e: Expr; not: boolean };

export type SelectItem = { k: 'star'; table: string[] | null; pos: Pos } | { k: 'expr'; e: Expr; alias: string | null };

export interface TableRef {
  /** [schema.]table as written. */
  parts: string[];
  alias: string | null;
  pos: Pos;
}

export interface Join {
  type: 'inner' | 'left' | 'cross';
  table: TableRef;
  on: Cond | null;
  /** USING (col, …) */
  using: string[] | null;
}

export interface OrderItem {
  e: Expr;
  desc: boolean;
}

export interface Select {
  distinct: boolean;
  top: number | null;
  items: SelectItem[];
  from: TableRef;
  joins: Join[];
  where: Cond | null;
  groupBy: Expr[];
  having: Cond | null;
  orderBy: OrderItem[];
  offset: number | null;
}
