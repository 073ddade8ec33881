// The shopper's account: sign up or sign in (customer accounts, not staff), then their orders.
import { Alert, Anchor, Badge, Button, Card, Group, PasswordInput, Skeleton, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, unwrap } from '../../api/client';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { problemMessage } from '../../lib/notify';
import { usePageTitle } from '../../lib/usePageTitle';
import { ORDER_STATUS_COLORS } from './OrderPage';
import { ReceiptPdfButton } from '../../components/receipt/ReceiptPanel';
import { forgetShopper, trackPage } from './sdk';
import { AccountPrivacy } from './AccountPrivacy';
import { adoptGuestCart, customerSession, locale, shop, useCustomerToken } from '../../api/shop';
import { useCustomer, useMyOrders, useShopCache } from '../../api/hooks/shop';

function AuthForms() {
  const { t, i18n } = useTranslation('shop');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const cache = useShopCache();
  const [tab, setTab] = useState<string | null>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const session =
        tab === 'sign-up'
          ? await unwrap(shop.POST('/v1/customer-auth/sign-up', { body: { email: email.trim(), password, ...(name.trim() ? { name: name.trim() } : {}), locale: locale(i18n.language) }, headers: { 'idempotency-key': crypto.randomUUID() } }))
          : await unwrap(shop.POST('/v1/customer-auth/sign-in', { body: { email: email.trim(), password } }));
      // The guest's cart becomes theirs first, so the signed-in page never shows it as a guest's.
      await adoptGuestCart(session.token).catch(() => undefined);
      customerSession.set(session.token);
      await cache.signedIn();
      const next = params.get('next');
      if (next?.startsWith('/storefront')) navigate(next, { replace: true });
    } catch (err) {
      setError(problemMessage(err));
      if (err instanceof ApiProblem) setFieldErrors(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" radius="md" maw={440}>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List grow mb="md">
          <Tabs.Tab value="sign-in">{t('account.signIn')}</Tabs.Tab>
          <Tabs.Tab value="sign-up">{t('account.signUp')}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {tab === 'sign-up' && <TextInput label={t('account.name')} autoComplete="name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldErrors.name} />}
          <TextInput label={t('account.email')} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldErrors.email} />
          <PasswordInput
            label={t('account.password')}
            autoComplete={tab === 'sign-up' ? 'new-password' : 'current-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fieldErrors.password}
            description={tab === 'sign-up' ? t('account.passwordHint') : undefined}
          />
          <Button type="submit" loading={busy}>
            {tab === 'sign-up' ? t('account.createAccount') : t('account.signIn')}
          </Button>
          {tab === 'sign-in' && (
            <Anchor component={Link} to="/storefront/account/reset-password" size="sm">
              {t('reset.forgot', { ns: 'translation' })}
            </Anchor>
          )}
        </Stack>
      </form>
    </Card>
  );
}

function MyOrders() {
  const { t } = useTranslation('shop');
  const { t: tr } = useTranslation('receipt');
  const token = useCustomerToken();
  const orders = useMyOrders();
  if (orders.isPending) return <Skeleton h={120} />;
  if (!orders.items.length) return <Text c="dimmed">{t('account.noOrders')}</Text>;
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={480}>
        <Table verticalSpacing="sm" aria-label={t('account.orders')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('account.order')}</Table.Th>
              <Table.Th>{t('account.date')}</Table.Th>
              <Table.Th>{t('order.state')}</Table.Th>
              <Table.Th ta="right">{t('totals.total')}</Table.Th>
              <Table.Th>{tr('title')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {orders.items.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/storefront/orders/${o.id}`} ff="monospace" size="sm">
                    {o.id}
                  </Anchor>
                </Table.Td>
                <Table.Td>{formatDateTime(o.createdAt)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={ORDER_STATUS_COLORS[o.status] ?? 'gray'}>
                    {t(`order.status.${o.status}`, { defaultValue: o.status })}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{formatMoney(o.total, o.currency)}</Table.Td>
                <Table.Td>
                  <ReceiptPdfButton orderId={o.id} token={token} variant="subtle" />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {orders.hasNextPage && (
        <Button variant="default" onClick={() => void orders.fetchNextPage()} loading={orders.isFetchingNextPage} w="fit-content">
          {t('list.more')}
        </Button>
      )}
    </Stack>
  );
}

export function AccountPage() {
  const { t } = useTranslation('shop');
  usePageTitle(t('account.title'));
  useEffect(() => trackPage('Account'), []);
  const token = useCustomerToken();
  const me = useCustomer();
  const cache = useShopCache();

  const signOut = async () => {
    await shop.POST('/v1/customer-auth/sign-out').catch(() => undefined);
    customerSession.set(null);
    forgetShopper();
    cache.signedOut();
  };

  if (!token) {
    return (
      <Stack gap="md">
        <Title order={1} size="h2">
          {t('account.title')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('account.intro')}
        </Text>
        <AuthForms />
      </Stack>
    );
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {t('account.title')}
          </Title>
          <Text c="dimmed" size="sm">
            {me.data ? t('account.hello', { name: me.data.name ?? me.data.email }) : ''}
          </Text>
        </div>
        <Button variant="default" onClick={() => void signOut()}>
          {t('account.signOut')}
        </Button>
      </Group>
      <Title order={2} size="h4">
        {t('account.orders')}
      </Title>
      <MyOrders />
      <AccountPrivacy />
    </Stack>
  );
}
