/**
 * Malformed MOC input (ASCII, JSON or FITS). `where` says where: "character 17" (ASCII, 0-based
 * offset), 'key "5"' (JSON, with the character offset), "row 12" / a header keyword (FITS).
 */
export class MocParseError extends Error {
  readonly where: string;
  constructor(message: string, where: string) {
    super(`${message} (at ${where})`);
    this.name = 'MocParseError';
    this.where = where;
  }
}
