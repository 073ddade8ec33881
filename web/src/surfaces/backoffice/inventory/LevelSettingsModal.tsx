import { Alert, Button, Center, Group, Loader, Modal, NumberInput, Stack } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../../api/client';
import { useSaveStockLevel, useStockLevel } from '../../../api/hooks/inventory';
import { errorAt } from '../../../lib/catalog';
import { notifySuccess, problemMessage } from '../../../lib/notify';

/**
 * Safety stock and the low-stock threshold of one SKU at one location. The level is fetched fresh
 * so the save carries its current version (If-Match); a change made meanwhile by someone else is
 * refused by the server and shown here instead of being overwritten.
 */
export function LevelSettingsModal({ variantId, locationId, location, onClose }: { variantId: string; locationId: string; location: Schemas['Location'] | null; onClose: () => void }) {
  const { t } = useTranslation('inventory');
  const level = useStockLevel(variantId, locationId);
  const [safety, setSafety] = useState<number | string>('');
  const [threshold, setThreshold] = useState<number | string>('');
  const [conflict, setConflict] = useState(false);

  useEffect(() => {
    if (!level.data) return;
    setSafety(level.data.safetyStock);
    setThreshold(level.data.lowStockThreshold ?? '');
  }, [level.data]);

  const save = useSaveStockLevel(variantId, locationId, {
    onSuccess: () => {
      notifySuccess(t('level.saved'));
      onClose();
    },
    onError: (err) => {
      if (err instanceof ApiProblem && err.status === 412) {
        setConflict(true);
        void level.refetch();
      }
    },
  });

  const name = location?.name ?? locationId;
  // What an empty threshold falls back to: known exactly when the level has none of its own.
  const fallback = level.data && level.data.lowStockThreshold == null ? String(level.data.effectiveLowStockThreshold) : location?.lowStockThreshold != null ? String(location.lowStockThreshold) : '…';

  return (
    <Modal opened onClose={onClose} title={t('level.modalTitle', { location: name })}>
      {level.isPending ? (
        <Center py="md">
          <Loader size="sm" aria-label={t('level.modalTitle', { location: name })} />
        </Center>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setConflict(false);
            save.mutate({ version: level.data!.version, body: { safetyStock: Number(safety) || 0, lowStockThreshold: threshold === '' ? null : Number(threshold) } });
          }}
          noValidate
        >
          <Stack>
            {conflict && (
              <Alert color="orange" role="alert">
                {t('level.conflict')}
              </Alert>
            )}
            {save.isError && !conflict && (
              <Alert color="red" role="alert">
                {problemMessage(save.error)}
              </Alert>
            )}
            <NumberInput
              label={t('level.safetyStock')}
              description={t('level.safetyStockHint')}
              min={0}
              allowDecimal={false}
              value={safety}
              onChange={setSafety}
              error={errorAt(save.error, '/safetyStock')}
              data-autofocus
            />
            <NumberInput
              label={t('level.lowStockThreshold')}
              description={t('level.lowStockThresholdHint', { fallback })}
              min={0}
              allowDecimal={false}
              value={threshold}
              onChange={setThreshold}
              error={errorAt(save.error, '/lowStockThreshold')}
            />
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={onClose}>
                {t('cancel')}
              </Button>
              <Button type="submit" loading={save.isPending} disabled={!level.data}>
                {t('save')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
