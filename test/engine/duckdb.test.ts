import { runEngineCases } from './cases.js';
import { makeDuckDb } from './fixture.js';
import { runRandomCases } from './random-cases.js';
import { runShapeCases } from './shape-cases.js';

runEngineCases(makeDuckDb);
runShapeCases(makeDuckDb);
runRandomCases(makeDuckDb);
