// Gift cards: issue one (its code is shown once), look up a balance by code, and the list with
// masked codes.
import { Alert, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useGiftCardBalance, useGiftCards, useIssueGiftCard, type GiftCard } from '../../../api/hooks/orders';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { formatMoney, parseMoney } from '../../../lib/money';
import { notifyError, problemMessage } from '../../../lib/notify';
import { usePageTitle } from '../../../lib/usePageTitle';

export function GiftCardsPage() {
  const { t } = useTranslation('returns');
  usePageTitle(t('giftCards.title'));
  const can = useCan();
  const [amount, setAmount] = useState('');
  const [amountError, setAmountError] = useState<string | null>(null);
  const [issued, setIssued] = useState<{ code: string; balance: number } | null>(null);
  const [code, setCode] = useState('');
  const [found, setFound] = useState<GiftCard | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const list = useGiftCards();

  const issue = useIssueGiftCard({
    onSuccess: (r) => {
      setIssued({ code: r.code, balance: r.giftCard.balance });
      setAmount('');
    },
    onError: notifyError,
  });
  const lookup = useGiftCardBalance({
    onSuccess: (g) => {
      setFound(g);
      setLookupError(null);
    },
    onError: (e) => {
      setFound(null);
      setLookupError(problemMessage(e));
    },
  });

  return (
    <Stack gap="md">
      <PageHeader title={t('giftCards.title')} description={t('giftCards.description')} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {can('orders:write') && (
          <Card withBorder>
            <Title order={3} size="h4" mb="sm">
              {t('giftCards.issueTitle')}
            </Title>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const cents = parseMoney(amount);
                if (!cents || cents <= 0) return setAmountError(t('giftCards.invalidAmount'));
                setAmountError(null);
                issue.mutate(cents);
              }}
            >
              <Group align="flex-end">
                <TextInput label={t('giftCards.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={amountError} inputMode="decimal" w={160} />
                <Button type="submit" loading={issue.isPending}>
                  {t('giftCards.issue')}
                </Button>
              </Group>
            </form>
            {issued && (
              <Alert color="teal" mt="md" title={t('giftCards.issued')}>
                <Code fz="lg" data-testid="issued-code">
                  {issued.code}
                </Code>
                <Text size="sm" mt="xs">
                  {t('giftCards.balance', { amount: formatMoney(issued.balance) })}
                </Text>
              </Alert>
            )}
          </Card>
        )}
        <Card withBorder>
          <Title order={3} size="h4" mb="sm">
            {t('giftCards.lookupTitle')}
          </Title>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (code.trim()) lookup.mutate(code.trim());
            }}
          >
            <Group align="flex-end">
              <TextInput label={t('giftCards.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} placeholder="GC-XXXX-XXXX-XXXX-XXXX" w={260} />
              <Button type="submit" variant="default" loading={lookup.isPending}>
                {t('giftCards.lookup')}
              </Button>
            </Group>
          </form>
          {found && (
            <Text mt="md" fw={600}>
              {found.maskedCode} · {t('giftCards.balance', { amount: formatMoney(found.balance, found.currency) })} · {t(`giftCardStatus.${found.status as 'active' | 'disabled'}`)}
            </Text>
          )}
          {lookupError && (
            <Text mt="md" c="red">
              {lookupError}
            </Text>
          )}
        </Card>
      </SimpleGrid>
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      <Table striped verticalSpacing="sm" aria-label={t('giftCards.tableLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('giftCards.card')}</Table.Th>
            <Table.Th>{t('giftCards.created')}</Table.Th>
            <Table.Th>{t('giftCards.origin')}</Table.Th>
            <Table.Th>{t('giftCards.balance', { amount: '' }).replace(/[:\s]+$/, '')}</Table.Th>
            <Table.Th>{t('giftCards.state')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.items.length === 0 && <TableState colSpan={5} loading={list.isLoading} empty={t('giftCards.empty')} />}
          {list.items.map((g) => (
            <Table.Tr key={g.id}>
              <Table.Td ff="monospace">{g.maskedCode}</Table.Td>
              <Table.Td>{formatDateTime(g.createdAt)}</Table.Td>
              <Table.Td>{t(`giftCardOrigin.${g.origin as 'sold' | 'store_credit' | 'goodwill'}`)}</Table.Td>
              <Table.Td>
                {formatMoney(g.balance, g.currency)} / {formatMoney(g.initialAmount, g.currency)}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={g.status === 'active' ? 'teal' : 'gray'}>
                  {t(`giftCardStatus.${g.status as 'active' | 'disabled'}`)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoad={() => void list.fetchNextPage()} />
    </Stack>
  );
}
