/**
 * Start a private clickhouse-server for CI (see .ci/run): a temp directory with
 * its own config on free loopback ports, left running in the background.
 * Prints shell assignments: TALLY_TEST_CLICKHOUSE_URL, TALLY_TEST_CLICKHOUSE_PID
 * and TALLY_TEST_CLICKHOUSE_DIR. Stop it with `kill $TALLY_TEST_CLICKHOUSE_PID`.
 *
 *   eval "$(npx tsx test/clickhouse/ci-server.ts)"
 */
import { startClickHouse } from './server.js';

const server = await startClickHouse({ detached: true });
console.log(`export TALLY_TEST_CLICKHOUSE_URL=${server.url}`);
console.log(`export TALLY_TEST_CLICKHOUSE_PID=${server.pid}`);
console.log(`export TALLY_TEST_CLICKHOUSE_DIR=${server.dir}`);
process.exit(0);
