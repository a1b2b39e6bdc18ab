/**
 * Plain text tables for the CLI: a header, a rule, and columns padded to their
 * widest cell; numbers right-aligned.
 */

export type Cell = string | number | boolean | null | undefined;

function text(c: Cell): string {
  if (c === null || c === undefined) return '';
  return String(c);
}

/**
 * The table as lines joined by "\n" (with a final newline).
 *
 * @example renderTable(['org', 'value'], [['acme', 3]])
 * // "org   value\n----  -----\nacme      3\n"
 */
export function renderTable(head: string[], rows: Cell[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const numeric = head.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] == null || typeof r[i] === 'number'),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(head.map((_, i) => text(r[i])))),
  ];
  return `${out.join('\n')}\n`;
}
