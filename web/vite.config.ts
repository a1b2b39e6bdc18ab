/**
 * Vite build of the dashboard: web/ -> web/dist, served by the Tally server at `/`
 * (src/http/dashboard.ts). `node web/build.js` runs it only when dist is stale.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 200,
  },
});
