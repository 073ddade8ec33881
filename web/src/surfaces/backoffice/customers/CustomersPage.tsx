// Customers: find a person by any identifier, or browse the newest profiles.
import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../../../api/client';
import { useProfiles } from '../../../api/hooks/customers';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { formatDateTime } from '../../../lib/format';
import { useState } from 'react';

type Profile = Schemas['Profile'];

/** A person's name as far as they told us, else their strongest identifier. */
export function displayName(p: Profile, anonymous: string): string {
  const tr = p.traits as Record<string, unknown>;
  const name = [tr.firstName, tr.lastName].filter((x) => typeof x === 'string').join(' ') || (typeof tr.name === 'string' ? tr.name : '');
  if (name) return name;
  const strong = p.identifiers.find((i) => i.kind === 'email') ?? p.identifiers.find((i) => i.kind === 'customer_id') ?? p.identifiers.find((i) => i.kind !== 'anonymous_id');
  return strong?.value ?? anonymous;
}

export function CustomersPage() {
  const { t } = useTranslation('customers');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const list = useProfiles(q);

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} description={t('description')} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setParams(text.trim() ? { q: text.trim() } : {});
        }}
      >
        <Group gap="sm" align="flex-end">
          <TextInput label={t('search')} placeholder={t('searchPlaceholder')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={360} />
          <Button type="submit">{t('find')}</Button>
        </Group>
      </form>
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      <Table verticalSpacing="xs" aria-label={t('listLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('person')}</Table.Th>
            <Table.Th>{t('knownAs')}</Table.Th>
            <Table.Th ta="right">{t('events')}</Table.Th>
            <Table.Th>{t('lastSeen')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.items.length === 0 && <TableState colSpan={4} loading={list.isLoading} empty={t('noProfiles')} />}
          {list.items.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>
                <Anchor component={Link} to={`/backoffice/customers/${p.id}`} size="sm" aria-label={t('open', { id: p.id })}>
                  {displayName(p, t('anonymous'))}
                </Anchor>
                <Text size="xs" c="dimmed" ff="monospace">
                  {p.id}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {p.identifiers.slice(0, 4).map((i) => (
                    <Badge key={`${i.kind}:${i.value}`} variant="light" tt="none" size="sm">
                      {t(`kinds.${i.kind}` as 'kinds.email', { defaultValue: i.kind })}: {i.value}
                    </Badge>
                  ))}
                  {p.identifiers.length > 4 && <Text size="xs">+{p.identifiers.length - 4}</Text>}
                </Group>
              </Table.Td>
              <Table.Td ta="right">{p.eventCount}</Table.Td>
              <Table.Td>{formatDateTime(p.lastSeenAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoad={() => void list.fetchNextPage()} />
    </Stack>
  );
}
