// Password reset, for staff (the sign-in page's "forgot your password?") and for shoppers (the web
// shop's account): without a token it asks for the e-mail address and sends the link; with the
// token from that e-mail (`#token=…`) it asks for the new password. The server answers the request
// the same for any address, so the page does too. Texts come from the surface's namespace
// (`reset.*` in locales/ for staff, in the shop's i18n.ts for shoppers).
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { contentLocale } from '../lib/i18n';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiProblem } from '../api/client';
import { problemMessage } from '../lib/notify';
import { usePageTitle } from '../lib/usePageTitle';

/** The server's rule (src/platform/password.ts), checked here first so the shopper hears it at once. */
const MIN_PASSWORD = 10;

export interface PasswordResetProps {
  /** i18next namespace holding the `reset.*` texts. */
  ns: 'translation' | 'shop';
  /** Where signing in happens on this surface. */
  signInTo: string;
  /** Where this page is without a token (to ask for a new link). */
  requestTo: string;
  requestReset(email: string, locale: 'nl' | 'en'): Promise<unknown>;
  confirmReset(token: string, password: string): Promise<unknown>;
  /** The reset ended every session: forget the one this browser holds. */
  onPasswordChanged(): void;
}

/** The token from the e-mail's link: in the fragment (`#token=`), or in the query of older links. */
export function resetTokenFrom(location: { hash: string; search: string }): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  return fromHash || new URLSearchParams(location.search).get('token');
}

export function PasswordReset(props: PasswordResetProps) {
  const location = useLocation();
  const navigate = useNavigate();
  const inAddress = resetTokenFrom(location);
  const token = inAddress ?? (location.state as { resetToken?: string } | null)?.resetToken ?? null;
  // The token leaves the address bar at once (kept in the history entry's state, so a reload still
  // works): page views the shop reports and screenshots of the address then never carry it.
  useEffect(() => {
    if (inAddress) void navigate(location.pathname, { replace: true, state: { resetToken: inAddress } });
  }, [inAddress, location.pathname, navigate]);
  return token ? <ChooseNewPassword {...props} token={token} /> : <RequestLink {...props} />;
}

/** Moves focus to a message as it appears, so keyboard and screen-reader users land on it. */
function useFocusOn<T extends HTMLElement>(shown: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (shown) ref.current?.focus();
  }, [shown]);
  return ref;
}

function RequestLink({ ns, signInTo, requestReset }: PasswordResetProps) {
  const { t, i18n } = useTranslation(ns);
  usePageTitle(t('reset.requestTitle'));
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sentRef = useFocusOn<HTMLDivElement>(sentTo);
  const errorRef = useFocusOn<HTMLDivElement>(error);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const address = email.trim();
    setError(null);
    if (!/^\S+@\S+\.\S+$/.test(address)) {
      setEmailError(t('reset.emailInvalid'));
      return;
    }
    setEmailError(null);
    setBusy(true);
    try {
      await requestReset(address, contentLocale(i18n.language));
      setSentTo(address);
    } catch (err) {
      setError(err instanceof ApiProblem && err.status === 429 ? t('reset.tooMany') : problemMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t('reset.requestTitle')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('reset.requestIntro')}
        </Text>
      </div>
      {sentTo ? (
        <Alert ref={sentRef} tabIndex={-1} color="teal" role="status" title={t('reset.sentTitle')}>
          {t('reset.sentBody', { email: sentTo })}
        </Alert>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack gap="sm">
            {error && (
              <Alert ref={errorRef} tabIndex={-1} color="red" role="alert" title={t('reset.failed')}>
                {error}
              </Alert>
            )}
            <TextInput label={t('reset.email')} type="email" autoComplete="email" required autoFocus value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={emailError} />
            <Button type="submit" loading={busy}>
              {t('reset.send')}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to={signInTo} size="sm">
        {t('reset.backToSignIn')}
      </Anchor>
    </Stack>
  );
}

function ChooseNewPassword({ ns, signInTo, requestTo, confirmReset, onPasswordChanged, token }: PasswordResetProps & { token: string }) {
  const { t } = useTranslation(ns);
  usePageTitle(t('reset.chooseTitle'));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ password?: string; again?: string }>({});
  const [problem, setProblem] = useState<{ title: string; body: string; expired: boolean } | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const doneRef = useFocusOn<HTMLDivElement>(done);
  const problemRef = useFocusOn<HTMLDivElement>(problem);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const found = {
      password: password.length < MIN_PASSWORD ? t('reset.tooShort', { min: MIN_PASSWORD }) : undefined,
      again: password.length >= MIN_PASSWORD && again !== password ? t('reset.mismatch') : undefined,
    };
    setErrors(found);
    if (found.password || found.again) return;
    setBusy(true);
    try {
      await confirmReset(token, password);
      onPasswordChanged();
      setDone(true);
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'reset_token_invalid') setProblem({ title: t('reset.linkInvalidTitle'), body: t('reset.linkInvalid'), expired: true });
      else if (err instanceof ApiProblem && err.fieldErrors().password) setErrors({ password: t('reset.tooShort', { min: MIN_PASSWORD }) });
      else if (err instanceof ApiProblem && err.status === 429) setProblem({ title: t('reset.failed'), body: t('reset.tooMany'), expired: false });
      else setProblem({ title: t('reset.failed'), body: problemMessage(err), expired: false });
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Stack gap="md">
        <Title order={1} size="h2">
          {t('reset.chooseTitle')}
        </Title>
        <Alert ref={doneRef} tabIndex={-1} color="teal" role="status" title={t('reset.doneTitle')}>
          {t('reset.doneBody')}
        </Alert>
        <Button component={Link} to={signInTo} w="fit-content">
          {t('reset.toSignIn')}
        </Button>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t('reset.chooseTitle')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('reset.chooseIntro')}
        </Text>
      </div>
      {problem && (
        <Alert ref={problemRef} tabIndex={-1} color="red" role="alert" title={problem.title}>
          <Stack gap="xs">
            <Text size="sm">{problem.body}</Text>
            {problem.expired && (
              <Anchor component={Link} to={requestTo} size="sm">
                {t('reset.askNewLink')}
              </Anchor>
            )}
          </Stack>
        </Alert>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <PasswordInput
            label={t('reset.password')}
            description={t('reset.passwordHint', { min: MIN_PASSWORD })}
            autoComplete="new-password"
            required
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
            // Mantine's PasswordInput links the error (aria-describedby) but does not mark the field.
            aria-invalid={!!errors.password || undefined}
          />
          <PasswordInput label={t('reset.again')} autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.currentTarget.value)} error={errors.again} aria-invalid={!!errors.again || undefined} />
          <Button type="submit" loading={busy}>
            {t('reset.save')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
