/**
 * Why a DuckDB file could not be opened, in words an operator can act on: the path and
 * DuckDB's own reason (a truncated file, a bad header, a corrupt WAL), and for a file locked
 * by another server the pid DuckDB names. Before, every such start-up said only "The DuckDB
 * file could not be opened." (issue 26.8). Operator-facing only: it names a path, so it
 * never reaches a client (StoreError.detail).
 */

/** The pid of the process holding the file's lock, when DuckDB's message names one ("PID 1234"). */
export function lockHolderPid(reason: string): number | null {
  const m = /\bPID (\d+)\b/i.exec(reason);
  return m ? Number(m[1]) : null;
}

/**
 * @example
 * openFailure('/srv/tally.duckdb', new Error('IO Error: Could not set lock on file "/srv/tally.duckdb": Conflicting lock is held in /usr/bin/node (PID 4242)'))
 * // 'The DuckDB file /srv/tally.duckdb could not be opened: another process (pid 4242) has it open. DuckDB said: IO Error: ...'
 */
export function openFailure(path: string, err: unknown): string {
  const reason = (err instanceof Error ? err.message : String(err)).trim();
  const pid = lockHolderPid(reason);
  const what =
    pid === null ? '' : ` another process (pid ${pid}) has it open; stop it, or point TALLY_DB elsewhere.`;
  return `The DuckDB file ${path} could not be opened:${what} DuckDB said: ${reason}`;
}
