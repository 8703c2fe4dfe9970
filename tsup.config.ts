import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // worker thread of scorePairsParallel, loaded next to dist/index.{js,cjs} and dist/cli.js
    entry: { parallelWorker: 'src/score/parallelWorker.ts' },
    format: ['esm', 'cjs'],
    sourcemap: true,
    target: 'node20',
  },
])
