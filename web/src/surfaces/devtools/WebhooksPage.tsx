import { Button, Stack } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { useCan } from '../../lib/auth';
import { CreateEndpointModal } from './CreateEndpointModal';
import { DeliveryDrawer } from './DeliveryDrawer';
import { DeliveryLog } from './DeliveryLog';
import { EndpointsTable } from './EndpointsTable';

export function WebhooksPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const [endpointFilter, setEndpointFilter] = useState<string | null>(null);
  const [deliveryId, setDeliveryId] = useState<string | null>(null);

  function showDeliveriesOf(endpointId: string) {
    setEndpointFilter(endpointId);
    document.getElementById('delivery-log')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  return (
    <Stack gap="xl">
      <div>
        <PageHeader
          title={t('webhooks.title')}
          description={t('webhooks.description')}
          actions={can('webhooks:write') && <Button onClick={() => setCreating(true)}>{t('webhooks.new')}</Button>}
        />
        <EndpointsTable onShowDeliveries={showDeliveriesOf} />
      </div>
      <DeliveryLog endpointId={endpointFilter} onEndpointChange={setEndpointFilter} onOpen={setDeliveryId} />
      <CreateEndpointModal opened={creating} onClose={() => setCreating(false)} />
      <DeliveryDrawer deliveryId={deliveryId} onOpen={setDeliveryId} onClose={() => setDeliveryId(null)} />
    </Stack>
  );
}
