import { Alert, Button, Group, Text, type AlertProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';
import { problemMessage } from '../lib/notify';

/** A failed load, with what the server said and a way to try again. */
export function QueryError({ error, onRetry, ...rest }: { error: unknown; onRetry?: () => void } & Omit<AlertProps, 'children'>) {
  const { t } = useTranslation();
  return (
    <Alert color="red" title={t('common.loadFailed')} role="alert" {...rest}>
      <Text size="sm">{problemMessage(error)}</Text>
      {error instanceof ApiProblem && error.requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          {t('common.requestId', { id: error.requestId })}
        </Text>
      )}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </Group>
      )}
    </Alert>
  );
}
