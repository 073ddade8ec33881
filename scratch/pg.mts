import { startEmbeddedPostgres } from '../src/platform/embedded-pg.js';
const t = Date.now();
const e = await startEmbeddedPostgres({ dataDir: '/tmp/wk-scratch', log: console.log });
console.log('started', Date.now() - t, e.url);
await e.stop();
console.log('stopped', Date.now() - t);
