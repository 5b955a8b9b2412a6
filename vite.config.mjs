// Vite builds: `libConfig` (the npm package: element, hips and fits entries + the decode worker)
// and `demoConfig` (the reference page, bundled with the library; also the `vite` dev server).
// scripts/build.mjs runs both.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (p) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export const alias = [
  { find: /^esasky-sky$/, replacement: src('index.ts') },
  { find: /^esasky-sky\/define$/, replacement: src('define.ts') },
  { find: /^esasky-sky\/hips$/, replacement: src('hips/index.ts') },
  { find: /^esasky-sky\/fits$/, replacement: src('workers/fits/index.ts') },
  { find: /^esasky-sky\/tables$/, replacement: src('workers/tables/index.ts') },
  { find: /^esasky-sky\/plot$/, replacement: src('plot/index.ts') },
  { find: /^esasky-sky\/plot\/define$/, replacement: src('plot/define.ts') },
];

/** @type {import('vite').UserConfig} */
export const libConfig = {
  root,
  configFile: false,
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    lib: {
      entry: {
        index: src('index.ts'),
        define: src('define.ts'),
        hips: src('hips/index.ts'),
        fits: src('workers/fits/index.ts'),
        tables: src('workers/tables/index.ts'),
        plot: src('plot/index.ts'),
        'plot-define': src('plot/define.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^lit($|\/)/, /^@lit\//, /^comlink$/, /^uplot$/],
    },
  },
};

/** @type {import('vite').UserConfig} */
export const demoConfig = {
  root: fileURLToPath(new URL('./demo', import.meta.url)),
  configFile: false,
  logLevel: 'warn',
  base: '/',
  resolve: { alias },
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./dist/demo', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/hips': 'http://127.0.0.1:8080' } },
};

export default defineConfig(demoConfig);
