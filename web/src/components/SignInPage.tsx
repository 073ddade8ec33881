import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ApiProblem } from '../api/client';
import { signIn, useToken } from '../lib/auth';
import { problemMessage } from '../lib/notify';
import { AuthFrame } from './AuthFrame';
import { usePageTitle } from '../lib/usePageTitle';

export function SignInPage() {
  const { t } = useTranslation();
  const token = useToken();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  usePageTitle(t('signIn.title'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : t('signIn.emailInvalid')),
      password: (v) => (v ? null : t('signIn.passwordRequired')),
    },
  });

  if (token) return <Navigate to={from} replace />;

  const submit = form.onSubmit(async (values) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(values.email.trim(), values.password);
      navigate(from, { replace: true });
    } catch (err) {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  });

  return (
    <AuthFrame>
      <div>
        <Title order={1} size="h2">
          {t('signIn.title')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('signIn.subtitle')}
        </Text>
      </div>
      {error && (
        <Alert color="red" role="alert" title={t('signIn.failed')}>
          {error}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput label={t('signIn.email')} type="email" autoComplete="username" required autoFocus {...form.getInputProps('email')} />
          <PasswordInput label={t('signIn.password')} autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" loading={busy} fullWidth>
            {t('signIn.submit')}
          </Button>
          <Anchor component={Link} to="/reset-password" size="sm">
            {t('reset.forgot')}
          </Anchor>
        </Stack>
      </form>
      <Text size="xs" c="dimmed">
        {t('signIn.hint')}{' '}
        <Anchor href="/docs" size="xs">
          {t('nav.apiDocs')}
        </Anchor>
      </Text>
    </AuthFrame>
  );
}
