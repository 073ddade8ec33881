// The imports module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { readOnlineRetail } from './online-retail.js';
export { createJob, exportProducts, formatOf, getJob, importOnlineRetail, importProducts, listRejections } from './service.js';
export { importRoutes } from './routes.js';
