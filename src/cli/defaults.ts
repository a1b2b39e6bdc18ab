/**
 * Default file locations, in a module of their own so that the command line can
 * show them in --help without loading the store (config.ts reads the environment).
 */

/** The DuckDB file of `tally serve` (npm start) when TALLY_DB is unset. */
export const DEFAULT_DB = './data/tally.duckdb';
/** The DuckDB file of `tally demo` (npm run demo): the demo never shares the production file. */
export const DEMO_DB = './data/demo.duckdb';
