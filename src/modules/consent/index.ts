// The consent module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { consentHolder } from './privacy.js';
export { configureConsentDefaults, hasConsent, profilingAllowed } from './service.js';
export type { ConsentSubject } from './service.js';
export { consentRoutes } from './routes.js';
