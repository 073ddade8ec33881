import { Alert, Button, Center, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../../components/QueryError';
import { SecretValue } from '../../components/SecretValue';
import { useEndpointWithSecret } from '../../api/hooks/devtools';

/** The signing secret of an endpoint, to verify the `Winkel-Signature` header with. */
export function SecretModal({ endpointId, onClose }: { endpointId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const endpoint = useEndpointWithSecret(endpointId);
  return (
    <Modal opened={!!endpointId} onClose={onClose} title={t('webhooks.secretTitle')} size="lg">
      {endpoint.isPending ? (
        <Center py="lg">
          <Loader size="sm" aria-label={t('common.loading')} />
        </Center>
      ) : endpoint.isError ? (
        <QueryError error={endpoint.error} />
      ) : (
        <Stack>
          <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
            {endpoint.data.url}
          </Text>
          <SecretValue label={t('webhooks.signingSecret')} value={endpoint.data.secret ?? ''} />
          <Alert variant="light" color="blue">
            {t('webhooks.secretHint')}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('common.done')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
