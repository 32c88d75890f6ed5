// touchpoint dashboard build: a static single-page app in web/dist, embedded
// by `touchpoint serve`. In `npm run dev` the /api requests go to the mock
// server (`npm run mock`, port 7071) or to TOUCHPOINT_URL.
import { defineConfig } from 'vite'

declare const process: { env: Record<string, string | undefined> }

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': process.env.TOUCHPOINT_URL ?? 'http://127.0.0.1:7071',
    },
  },
})
