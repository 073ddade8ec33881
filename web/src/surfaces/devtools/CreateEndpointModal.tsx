import { Alert, Button, Group, Modal, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../api/client';
import { SecretValue } from '../../components/SecretValue';
import { problemMessage } from '../../lib/notify';
import { useCreateEndpoint } from '../../api/hooks/devtools';
import { useEventTypeSuggestions } from './eventTypes';

export function CreateEndpointModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const suggestions = useEventTypeSuggestions();
  const [created, setCreated] = useState<Schemas['WebhookEndpoint'] | null>(null);
  const form = useForm({
    initialValues: { url: '', description: '', eventTypes: ['*'] as string[] },
    validate: {
      url: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? null : t('webhooks.form.urlInvalid')),
      eventTypes: (v) => (v.length ? null : t('webhooks.form.eventTypesRequired')),
    },
  });
  const create = useCreateEndpoint({
    onSuccess: (endpoint) => {
      setCreated(endpoint);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  function close() {
    form.reset();
    create.reset();
    setCreated(null);
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={created ? t('webhooks.createdTitle') : t('webhooks.new')} size="lg">
      {created ? (
        <Stack>
          <Text size="sm">{t('webhooks.createdText', { url: created.url })}</Text>
          <SecretValue label={t('webhooks.signingSecret')} value={created.secret ?? ''} />
          <Alert variant="light" color="blue">
            {t('webhooks.secretHint')}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => create.mutate({ url: v.url.trim(), eventTypes: v.eventTypes, ...(v.description.trim() ? { description: v.description.trim() } : {}) }))} noValidate>
          <Stack>
            {create.isError && (
              <Alert color="red" role="alert">
                {problemMessage(create.error)}
              </Alert>
            )}
            <TextInput label={t('webhooks.url')} placeholder="https://example.com/winkel-webhooks" type="url" required data-autofocus {...form.getInputProps('url')} />
            <TextInput label={t('webhooks.form.description')} {...form.getInputProps('description')} />
            <TagsInput
              label={t('webhooks.eventTypes')}
              description={t('webhooks.form.eventTypesHint')}
              data={suggestions}
              required
              clearable
              {...form.getInputProps('eventTypes')}
            />
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('webhooks.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
