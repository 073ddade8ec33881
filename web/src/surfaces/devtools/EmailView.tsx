import { Center, Code, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useCaughtEmail } from '../../api/hooks/devtools';
import { QueryError } from '../../components/QueryError';
import { formatDateTime } from '../../lib/format';
import { formatNumber } from '../../lib/money';

/** One caught e-mail: headers, plain text, and the HTML part in a sandbox that runs nothing. */
export function EmailView({ id }: { id: string }) {
  const { t } = useTranslation();
  const email = useCaughtEmail(id);
  if (email.isPending) {
    return (
      <Center py="xl">
        <Loader size="sm" aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (email.isError) return <QueryError error={email.error} />;
  const m = email.data;
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        {m.subject || t('mail.noSubject')}
      </Title>
      <Text size="sm">
        <b>{t('mail.from')}:</b> {m.from}
        <br />
        <b>{t('mail.to')}:</b> {m.to.join(', ')}
        <br />
        <b>{t('mail.received')}:</b> {formatDateTime(m.receivedAt)} · {t('mail.size', { kb: formatNumber(m.sizeBytes / 1024, 1) })}
      </Text>
      <Tabs defaultValue={m.text ? 'text' : 'html'} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="text" disabled={!m.text}>
            {t('mail.text')}
          </Tabs.Tab>
          <Tabs.Tab value="html" disabled={!m.html}>
            {t('mail.html')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="text" pt="sm">
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {m.text}
          </Code>
        </Tabs.Panel>
        <Tabs.Panel value="html" pt="sm">
          {m.html && (
            <iframe
              title={t('mail.htmlFrame', { subject: m.subject })}
              sandbox=""
              srcDoc={m.html}
              style={{ width: '100%', height: 520, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, background: 'white' }}
            />
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
