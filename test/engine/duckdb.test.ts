import { describe } from 'vitest';
import { runEngineCases } from './cases.js';
import { runCompareCases } from './compare-cases.js';
import { duckDbEngine, makeDuckDb } from './fixture.js';
import { runMetricsCases } from './metrics-cases.js';
import { runRandomCases } from './random-cases.js';
import { runShapeCases } from './shape-cases.js';
import { runWindowCases } from './window-cases.js';

runEngineCases(makeDuckDb);
runShapeCases(makeDuckDb);
runRandomCases(makeDuckDb);
runMetricsCases(makeDuckDb);
runWindowCases(makeDuckDb);
runCompareCases(makeDuckDb);

describe('compacted layout', () => {
  runEngineCases(duckDbEngine(true));
  runRandomCases(duckDbEngine(true));
});
