import { Alert, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../lib/usePageTitle';

/** An honest page for a surface that is not built yet: what it will do, and that it is not here. */
export function ComingLater({ surface }: { surface: 'store' | 'selfcheckout' | 'storefront' }) {
  const { t } = useTranslation();
  usePageTitle(t(`surfaces.${surface}`));
  const items = t(`placeholder.${surface}.items`, { returnObjects: true }) as string[];
  return (
    <Stack gap="lg" maw={760}>
      <div>
        <Title order={1} size="h2">
          {t(`surfaces.${surface}`)}
        </Title>
        <Text c="dimmed" size="sm" mt={4}>
          {t(`placeholder.${surface}.intro`)}
        </Text>
      </div>
      <Alert variant="light" color="gray" title={t('placeholder.notYet')}>
        {t('placeholder.notYetText')}
      </Alert>
      <Paper withBorder p="lg">
        <Title order={2} size="h4" mb="sm">
          {t('placeholder.planned')}
        </Title>
        <List spacing="xs" size="sm">
          {items.map((item) => (
            <List.Item key={item}>{item}</List.Item>
          ))}
        </List>
      </Paper>
    </Stack>
  );
}
