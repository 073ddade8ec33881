// The accounts module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { accountsHolder } from './privacy.js';
export { accountsByIdOrEmail, accountStatus, getAccount, passwordMatches, purgeEndedCustomerSessions, resolveCustomer } from './service.js';
export { accountRoutes } from './routes.js';
