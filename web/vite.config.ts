// Builds the web app into web/dist, which `winkel serve` serves at /. In development (`npm run
// dev:web`) the API calls go to a `winkel serve` on port 3000.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Surfaces keep their own names; chunks shared between them are named as such, instead
        // of after whichever module the bundler happened to pick.
        chunkFileNames: (chunk) => (chunk.isDynamicEntry ? 'assets/[name]-[hash].js' : 'assets/shared-[hash].js'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/v1': api,
      '/openapi.json': api,
      '/docs': api,
      '/health': api,
    },
  },
  preview: { host: '127.0.0.1' },
});
