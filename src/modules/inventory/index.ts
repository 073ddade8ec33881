// The inventory module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { backInStockSubscription } from './back-in-stock.js';
export { evaluateForecasts, weeklyDemandFromOnlineRetail } from './evaluate.js';
export { forecastDemand, reorderAdvice } from './forecast.js';
export { backInStockHolder, stockMovementsHolder } from './privacy.js';
export { applyMovement, atp, changeReservation, distanceKm, endReservation, expireReservations, extendReservation, getLocation, levelsForVariant, listLocations, releaseReservationsFor, reserve, reserveInTx, setLowStockDefault, verifyLedger } from './service.js';
export type { LocationRow } from './service.js';
export { purchasingRoutes } from './purchasing-routes.js';
export { inventoryRoutes } from './routes.js';
