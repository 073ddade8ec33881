// The shop's frame: a header with search, account and cart, the page, and a footer with the credits.
// Built for phones first: the search moves under the header on narrow screens.
import { Anchor, AppShell, Badge, Box, Button, Center, Container, Group, Loader, Stack, Text, TextInput, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { Suspense, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate, useSearchParams } from 'react-router';
import { Brand } from '../../components/Brand';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { PageErrorBoundary } from '../../components/PageErrorBoundary';
import { QueryError } from '../../components/QueryError';
import { useCart, useCustomer, useShopConfig } from '../../api/hooks/shop';
import { identifyShopper, loadBrowserSdk } from './sdk';

function SearchBox({ autoFocus }: { autoFocus?: boolean }) {
  const { t } = useTranslation('shop');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  useEffect(() => setQ(params.get('q') ?? ''), [params]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(q.trim() ? `/storefront?q=${encodeURIComponent(q.trim())}` : '/storefront');
  };
  return (
    <form onSubmit={submit} role="search" style={{ flex: 1 }}>
      <TextInput
        aria-label={t('header.search')}
        placeholder={t('header.searchPlaceholder')}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        autoFocus={autoFocus}
        type="search"
        rightSectionWidth={80}
        rightSection={
          <Button type="submit" size="compact-sm" variant="light">
            {t('header.searchButton')}
          </Button>
        }
      />
    </form>
  );
}

export function ShopLayout() {
  const { t } = useTranslation('shop');
  const config = useShopConfig();
  const cart = useCart();
  const customer = useCustomer();
  const location = useLocation();
  const count = (cart.data?.lines ?? []).reduce((s, l) => s + l.quantity, 0);

  const key = config.data?.publishableKey;
  useEffect(() => {
    if (key) void loadBrowserSdk(key);
  }, [key]);
  const customerId = customer.data?.id ?? null;
  useEffect(() => {
    if (key && customerId) identifyShopper(customerId);
  }, [key, customerId]);

  return (
    <AppShell header={{ height: { base: 112, sm: 64 } }} padding={0}>
      <a className="skip-link" href="#main">
        {t('header.skipToContent')}
      </a>
      <AppShell.Header>
        <Container size="lg" h="100%" py={8}>
          <Stack gap={8} h="100%" justify="center">
            <Group justify="space-between" wrap="nowrap" gap="sm">
              <UnstyledButton component={Link} to="/storefront" aria-label={t('header.home')}>
                <Group gap={6} wrap="nowrap">
                  <Brand size="md" />
                  <Text size="sm" c="dimmed" visibleFrom="xs">
                    {t('header.shop')}
                  </Text>
                </Group>
              </UnstyledButton>
              <Box visibleFrom="sm" style={{ flex: 1, maxWidth: 520 }}>
                <SearchBox />
              </Box>
              <Group gap={6} wrap="nowrap">
                <Box visibleFrom="sm">
                  <LanguageSwitch />
                </Box>
                <Button component={Link} to="/storefront/account" variant="subtle" size="xs">
                  {customer.data ? t('header.myAccount') : t('header.signIn')}
                </Button>
                <Button component={Link} to="/storefront/cart" size="xs" variant={location.pathname.endsWith('/cart') ? 'filled' : 'light'} aria-label={t('header.cartWithCount', { count })}>
                  {t('header.cart')}
                  {count > 0 && (
                    <Badge ml={6} size="sm" circle variant="white" aria-hidden>
                      {count}
                    </Badge>
                  )}
                </Button>
              </Group>
            </Group>
            <Box hiddenFrom="sm">
              <SearchBox />
            </Box>
          </Stack>
        </Container>
      </AppShell.Header>
      <AppShell.Main id="main" tabIndex={-1}>
        <Container size="lg" py="lg" px="md">
          {config.isError ? (
            <QueryError error={config.error} onRetry={() => void config.refetch()} />
          ) : config.isPending ? (
            <Center py="xl">
              <Loader aria-label={t('loading')} />
            </Center>
          ) : (
            <PageErrorBoundary key={location.pathname}>
              <Suspense
                fallback={
                  <Center py="xl">
                    <Loader aria-label={t('loading')} />
                  </Center>
                }
              >
                <Outlet />
              </Suspense>
            </PageErrorBoundary>
          )}
        </Container>
        <Box component="footer" bg="var(--mantine-color-gray-0)" py="lg" mt="xl" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
          <Container size="lg" px="md">
            <Stack gap={6}>
              <Text size="xs" c="dimmed">
                {t('footer.dataCredit')}{' '}
                <Anchor href="https://doi.org/10.24432/C5BW33" size="xs" target="_blank" rel="noreferrer">
                  doi:10.24432/C5BW33
                </Anchor>{' '}
                ·{' '}
                <Anchor href="https://creativecommons.org/licenses/by/4.0/" size="xs" target="_blank" rel="noreferrer">
                  CC BY 4.0
                  <VisuallyHidden> ({t('footer.newTab')})</VisuallyHidden>
                </Anchor>
              </Text>
              <Text size="xs" c="dimmed">
                {t('footer.poweredBy')}
              </Text>
              <Box hiddenFrom="sm">
                <LanguageSwitch />
              </Box>
            </Stack>
          </Container>
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
