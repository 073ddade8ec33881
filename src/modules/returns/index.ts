// The returns module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { returnsHolder } from './privacy.js';
export { returnRoutes } from './routes.js';
