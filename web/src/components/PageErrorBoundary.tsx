import { Alert, Button, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface State {
  error: Error | null;
}

/**
 * Catches a page that fails to render, most often a lazily loaded chunk that no longer exists
 * because Winkel was updated while the tab stayed open. Reloading fetches the new version.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page failed to render', error, info.componentStack);
  }

  render() {
    return this.state.error ? <PageFailed error={this.state.error} /> : this.props.children;
  }
}

function PageFailed({ error }: { error: Error }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" role="alert" title={t('pageError.title')}>
      <Text size="sm">{t('pageError.text')}</Text>
      <Text size="xs" c="dimmed" mt={4} ff="monospace">
        {error.message}
      </Text>
      <Button mt="sm" size="xs" color="red" variant="light" onClick={() => window.location.reload()}>
        {t('pageError.reload')}
      </Button>
    </Alert>
  );
}
