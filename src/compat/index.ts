/**
 * The compatibility surfaces, each in its own folder, registered by serve().
 */
import type { Surface } from '../http/app.js';

export const surfaces: Surface[] = [];
