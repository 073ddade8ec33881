import { Alert, Button, Group, Modal, MultiSelect, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../api/client';
import { SecretValue } from '../../components/SecretValue';
import { problemMessage } from '../../lib/notify';
import { useRoles } from './roles';
import { useCreateApiKey } from '../../api/hooks/staff';

export function CreateApiKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const roles = useRoles();
  const [created, setCreated] = useState<Schemas['CreatedApiKey'] | null>(null);
  const form = useForm({
    initialValues: { kind: 'secret' as 'secret' | 'publishable', name: '', scopes: [] as string[] },
    validate: {
      name: (v) => (v.trim() ? null : t('apiKeys.form.nameRequired')),
      scopes: (v, values) => (values.kind === 'publishable' || v.length ? null : t('apiKeys.form.scopesRequired')),
    },
  });
  const create = useCreateApiKey({
    onSuccess: (result) => {
      setCreated(result);
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

  const permissions = (roles.data?.permissions ?? []).filter((p) => p !== 'storefront').concat('storefront');

  return (
    <Modal opened={opened} onClose={close} title={created ? t('apiKeys.createdTitle') : t('apiKeys.new')} size="lg">
      {created ? (
        <Stack>
          <Text size="sm">{t('apiKeys.createdText', { name: created.apiKey.name })}</Text>
          <SecretValue label={t('apiKeys.token')} value={created.token} />
          <Alert color="yellow" variant="light" title={t('apiKeys.onceTitle')}>
            {t('apiKeys.onceText')}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>{t('common.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => create.mutate(v.kind === 'secret' ? { kind: 'secret', name: v.name.trim(), scopes: v.scopes } : { kind: 'publishable', name: v.name.trim() }))} noValidate>
          <Stack>
            {create.isError && (
              <Alert color="red" role="alert">
                {problemMessage(create.error)}
              </Alert>
            )}
            <Radio.Group label={t('apiKeys.kind')} required {...form.getInputProps('kind')}>
              <Stack gap="xs" mt={6}>
                <Radio value="secret" label={t('apiKeys.kinds.secret')} description={t('apiKeys.form.secretHint')} />
                <Radio value="publishable" label={t('apiKeys.kinds.publishable')} description={t('apiKeys.form.publishableHint')} />
              </Stack>
            </Radio.Group>
            <TextInput label={t('apiKeys.name')} description={t('apiKeys.form.nameHint')} required data-autofocus {...form.getInputProps('name')} />
            {form.values.kind === 'secret' && (
              <MultiSelect
                label={t('apiKeys.scopes')}
                description={t('apiKeys.form.scopesHint')}
                required
                searchable
                data={permissions}
                nothingFoundMessage={t('common.nothingFound')}
                {...form.getInputProps('scopes')}
              />
            )}
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('apiKeys.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
