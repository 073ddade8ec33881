// The notes on an order: the customer's own note from the checkout, a form for staff to add a note
// (internal, or shown to the customer too), and every note, newest first. Notes are append-only,
// so there is nothing to edit or delete here.
import { Alert, Badge, Blockquote, Button, Group, Paper, Skeleton, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../../api/client';
import { useAddOrderNote, useOrderNotes } from '../../../api/hooks/orders';
import { LoadMore } from '../../../components/LoadMore';
import { QueryError } from '../../../components/QueryError';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { notifySuccess, problemMessage } from '../../../lib/notify';

const MAX = 2000;

export function OrderNotes({ order }: { order: Schemas['Order'] }) {
  const { t } = useTranslation('orders');
  const can = useCan();
  const notes = useOrderNotes(order.id);
  const form = useForm({
    initialValues: { body: '', toCustomer: false },
    validate: { body: (v) => (!v.trim() ? t('notes.required') : v.trim().length > MAX ? t('notes.tooLong', { max: MAX }) : null) },
  });
  // The note is an event of the order too: the hook refreshes its timeline as well as the notes.
  const add = useAddOrderNote(order.id, {
    onSuccess: () => {
      notifySuccess(t('notes.added'));
      form.reset();
    },
  });

  return (
    <Stack gap="md">
      {order.note && (
        <Blockquote p="sm" color="blue" aria-label={t('notes.customerNote')}>
          <Text size="xs" c="dimmed" mb={4}>
            {t('notes.customerNote')}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {order.note}
          </Text>
        </Blockquote>
      )}
      {can('orders:write') ? (
        <form onSubmit={form.onSubmit((v) => add.mutate({ body: v.body.trim(), visibility: v.toCustomer ? 'customer' : 'internal' }))} noValidate aria-label={t('notes.newNote')}>
          <Stack gap="xs">
            {add.isError && (
              <Alert color="red" role="alert">
                {problemMessage(add.error)}
              </Alert>
            )}
            <Textarea label={t('notes.newNote')} placeholder={t('notes.placeholder')} autosize minRows={2} maxRows={8} maxLength={MAX} {...form.getInputProps('body')} />
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Switch label={t('notes.showToCustomer')} description={t('notes.showToCustomerHint')} {...form.getInputProps('toCustomer', { type: 'checkbox' })} />
              <Button type="submit" loading={add.isPending}>
                {t('notes.add')}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Text size="sm" c="dimmed">
          {t('notes.noWriteAccess')}
        </Text>
      )}
      {notes.isError ? (
        <QueryError error={notes.error} onRetry={() => void notes.refetch()} />
      ) : notes.isPending ? (
        <Skeleton h={60} />
      ) : notes.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('notes.empty')}
        </Text>
      ) : (
        <Stack gap="xs" component="ul" aria-label={t('notes.listLabel')} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {notes.items.map((n) => (
            <Paper key={n.id} component="li" withBorder p="sm" radius="sm">
              <Group justify="space-between" gap="xs" mb={4}>
                <Text size="xs" c="dimmed">
                  {t('notes.by', { author: n.author.label ?? n.author.id ?? n.author.type, at: formatDateTime(n.createdAt) })}
                </Text>
                <Badge size="sm" variant="light" color={n.visibility === 'customer' ? 'blue' : 'gray'}>
                  {t(`notes.visibility.${n.visibility}`)}
                </Badge>
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {n.body}
              </Text>
            </Paper>
          ))}
        </Stack>
      )}
      <LoadMore hasMore={!!notes.hasNextPage} loading={notes.isFetchingNextPage} onLoad={() => void notes.fetchNextPage()} />
    </Stack>
  );
}
