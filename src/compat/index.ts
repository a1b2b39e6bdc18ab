/**
 * The compatibility surfaces, each in its own folder, registered by serve().
 * Each is a presenter over the core query engine with its vendor's error shape.
 */
import type { Surface } from '../http/surface.js';
import { capgoSurface } from './capgo/index.js';
import { filespinSurface } from './filespin/index.js';
import { safermeSurface } from './saferme/index.js';
import { tr50Surface } from './tr50/index.js';
import { viktorSurface } from './viktor/index.js';

export const surfaces: Surface[] = [
  viktorSurface,
  filespinSurface,
  safermeSurface,
  capgoSurface,
  tr50Surface,
];
