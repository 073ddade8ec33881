// The fulfilment module's scheduled work: parcels not collected within PICKUP_HOLD_DAYS are
// cancelled, restocked and refunded.
import { publicUrlOf, type Config } from '../../platform/config.js';
import type { Db } from '../../platform/db.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { paymentProviders } from '../payments/index.js';
import { Carriers } from './carriers.js';
import { expireUncollectedPickups, PICKUP_EXPIRY_JOB, type ActionDeps } from './service.js';

export function fulfilmentDeps(db: Db, config: Config): ActionDeps {
  return {
    settings: { pickupHoldDays: config.pickupHoldDays, publicUrl: publicUrlOf(config) },
    carriers: new Carriers(),
    providers: paymentProviders(db, { testGatewaySecret: config.testGatewaySecret }),
  };
}

export function fulfilmentJobs(db: Db, config: Config): JobDefinition[] {
  const deps = fulfilmentDeps(db, config);
  return [
    {
      name: PICKUP_EXPIRY_JOB,
      cron: '*/10 * * * *',
      handle: async () => {
        await expireUncollectedPickups(db, deps);
      },
    },
  ];
}
