// The shopper's own data, on the account page: consent per purpose (what Winkel may use their data
// for), a download of everything held on them, and erasing the account (asks for the password again).
import { Alert, Button, Card, Group, Modal, PasswordInput, Skeleton, Stack, Switch, Text, Title } from '@mantine/core';
import { useChangeMyConsent, useDownloadMyData, useEraseMe, useMyConsents } from '../../api/hooks/shop';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../../components/QueryError';
import { formatDateTime } from '../../lib/format';
import { problemMessage } from '../../lib/notify';
import { forgetShopper } from './sdk';
import { customerSession } from '../../api/shop';


function ConsentToggles() {
  const { t } = useTranslation('shop');
  const consents = useMyConsents();
  const change = useChangeMyConsent();
  if (consents.isError) return <QueryError error={consents.error} onRetry={() => void consents.refetch()} />;
  if (!consents.data) return <Skeleton h={160} />;
  return (
    <Stack gap="sm" role="group" aria-label={t('privacy.consentsTitle')}>
      {consents.data.current.map((c) => (
        <div key={c.purpose}>
          <Switch
            label={t(`privacy.purposes.${c.purpose}`, { defaultValue: c.purpose })}
            description={`${t(`privacy.purposeHints.${c.purpose}`, { defaultValue: '' })}${c.recordedAt ? ` ${t('privacy.changedAt', { at: formatDateTime(c.recordedAt) })}` : ''}`}
            checked={change.isPending && change.variables?.purpose === c.purpose ? change.variables.granted : c.granted}
            disabled={change.isPending}
            onChange={(e) => change.mutate({ purpose: c.purpose, granted: e.currentTarget.checked })}
          />
        </div>
      ))}
      {change.isError && (
        <Alert color="red" role="alert">
          {problemMessage(change.error)}
        </Alert>
      )}
    </Stack>
  );
}

function DownloadData() {
  const { t } = useTranslation('shop');
  const download = useDownloadMyData();
  return (
    <Stack gap="xs" align="flex-start">
      <Text size="sm">{t('privacy.exportHint')}</Text>
      <Button variant="default" onClick={() => download.mutate()} loading={download.isPending}>
        {t('privacy.export')}
      </Button>
      {download.isError && (
        <Alert color="red" role="alert">
          {problemMessage(download.error)}
        </Alert>
      )}
    </Stack>
  );
}

function DeleteAccount() {
  const { t } = useTranslation('shop');
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const erase = useEraseMe(() => {
    setOpen(false);
    customerSession.set(null);
    forgetShopper();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) erase.mutate(password);
  };
  return (
    <Stack gap="xs" align="flex-start">
      <Text size="sm">{t('privacy.deleteHint')}</Text>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        {t('privacy.delete')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('privacy.deleteTitle')}>
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <Text size="sm">{t('privacy.deleteWarning')}</Text>
            <PasswordInput label={t('account.password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-autofocus />
            {erase.isError && (
              <Alert color="red" role="alert">
                {problemMessage(erase.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                {t('privacy.cancel')}
              </Button>
              <Button type="submit" color="red" loading={erase.isPending} disabled={!password}>
                {t('privacy.deleteConfirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

/** The privacy section of the account page. */
export function AccountPrivacy() {
  const { t } = useTranslation('shop');
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="privacy-title">
      <Title order={2} size="h4" id="privacy-title" mb="sm">
        {t('privacy.title')}
      </Title>
      <Stack gap="lg">
        <div>
          <Title order={3} size="h6" mb="xs">
            {t('privacy.consentsTitle')}
          </Title>
          <ConsentToggles />
        </div>
        <DownloadData />
        <DeleteAccount />
      </Stack>
    </Card>
  );
}
