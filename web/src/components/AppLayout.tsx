// The frame around every signed-in page: header with surface switcher, language and user menu;
// the current surface's pages on the side; the page itself in the middle.
import { AppShell, Burger, Button, Center, Divider, Group, Loader, Menu, NavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Fragment, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useCan, useMe, useSignOut } from '../lib/auth';
import { SURFACES, surfaceOf } from '../lib/surfaces';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';
import { PageErrorBoundary } from './PageErrorBoundary';

export function AppLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const [navOpen, nav] = useDisclosure(false);
  const surface = surfaceOf(location.pathname);
  const can = useCan();
  const pages = surface.pages.filter((p) => can(p.permission));

  // On a phone the navigation closes once a page is chosen.
  useEffect(() => nav.close(), [location.pathname]);

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpen } }} padding="lg">
      <a className="skip-link" href="#main">
        {t('header.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={t('header.toggleNavigation')} aria-expanded={navOpen} />
            <UnstyledButton component={Link} to="/" aria-label={t('header.home')}>
              <Brand size="md" compact />
            </UnstyledButton>
            <SurfaceSwitcher current={surface.id} />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label={t('header.pages')}>
        <AppShell.Section>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={6}>
            {t(surface.labelKey)}
          </Text>
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          {pages.length === 0 && (
            <Text size="sm" c="dimmed" px="sm">
              {t('header.noPages')}
            </Text>
          )}
          {pages.map((p, i) => (
            <Fragment key={p.path}>
              {p.groupKey && p.groupKey !== pages[i - 1]?.groupKey && (
                <Text size="xs" fw={600} c="dimmed" px="sm" pt={i === 0 ? 0 : 'md'} pb={4}>
                  {t(p.groupKey)}
                </Text>
              )}
              {p.external ? (
              <NavLink
                href={p.path}
                target="_blank"
                rel="noreferrer"
                label={
                  <>
                    {t(p.labelKey)} <span aria-hidden>↗</span>
                    <VisuallyHidden> ({t('header.newTab')})</VisuallyHidden>
                  </>
                }
              />
            ) : (
              <NavLink component={Link} to={p.path} label={t(p.labelKey)} active={location.pathname === p.path || location.pathname.startsWith(`${p.path}/`)} />
              )}
            </Fragment>
          ))}
        </AppShell.Section>
        <AppShell.Section hiddenFrom="sm">
          <Divider my="sm" />
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={6}>
            {t('header.surfaces')}
          </Text>
          {SURFACES.map((s) => (
            <NavLink key={s.id} component={Link} to={s.path} label={t(s.labelKey)} active={s.id === surface.id} variant="subtle" />
          ))}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1}>
        <PageErrorBoundary key={location.pathname}>
          <Suspense
            fallback={
              <Center py="xl">
                <Loader aria-label={t('common.loading')} />
              </Center>
            }
          >
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
        <Text component="footer" size="xs" c="dimmed" mt={48} pt="md" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
          {t('footer.credit')}
        </Text>
      </AppShell.Main>
    </AppShell>
  );
}

function SurfaceSwitcher({ current }: { current: string }) {
  const { t } = useTranslation();
  const active = SURFACES.find((s) => s.id === current)!;
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button variant="light" size="xs" visibleFrom="sm" rightSection={<span aria-hidden>▾</span>} aria-label={t('header.switchSurface', { surface: t(active.labelKey) })}>
          {t(active.labelKey)}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('header.surfaces')}</Menu.Label>
        {SURFACES.map((s) => (
          <Menu.Item key={s.id} component={Link} to={s.path} fw={s.id === current ? 700 : undefined} aria-current={s.id === current ? 'page' : undefined}>
            {t(s.labelKey)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const me = useMe().data;
  const signOut = useSignOut();
  if (!me) return null;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" size="xs" rightSection={<span aria-hidden>▾</span>}>
          <VisuallyHidden>{t('header.account')}: </VisuallyHidden>
          <Text size="xs" truncate maw={{ base: 96, sm: 180 }}>
            {me.label}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.role ? t('header.signedInAsRole', { role: t(`roles.${me.role}`, { defaultValue: me.role }) }) : me.kind}</Menu.Label>
        <Menu.Item onClick={() => void signOut()}>{t('header.signOut')}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
