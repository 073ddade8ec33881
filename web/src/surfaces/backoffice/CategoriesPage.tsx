import { Alert, Button, Group, Modal, Select, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { categoryOptions, categoryTree, type Category } from '../../lib/catalog';
import { useCategories, useDeleteCategory, useSaveCategory } from '../../api/hooks/catalog';
import { notifyError, notifySuccess, problemMessage } from '../../lib/notify';

export function CategoriesPage() {
  const { t } = useTranslation();
  const can = useCan();
  const categories = useCategories();
  const [editing, setEditing] = useState<Category | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);
  const tree = categoryTree(categories.data?.data ?? []);
  const writable = can('catalog:write');

  const remove = useDeleteCategory({
    onSuccess: (_r, c) => {
      notifySuccess(t('categories.deleted', { name: c.displayName }));
      setDeleting(null);
    },
    onError: (err) => {
      setDeleting(null);
      notifyError(err);
    },
  });

  return (
    <Stack gap="md">
      <PageHeader title={t('categories.title')} description={t('categories.description')} actions={writable && <Button onClick={() => setEditing('new')}>{t('categories.new')}</Button>} />
      {categories.isError && <QueryError error={categories.error} onRetry={() => void categories.refetch()} />}
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing="xs" highlightOnHover aria-label={t('categories.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('categories.name')}</Table.Th>
              <Table.Th>{t('categories.slug')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tree.length === 0 && !categories.isError && <TableState colSpan={3} loading={categories.isPending} empty={t('categories.empty')} />}
            {tree.map(({ category: c, depth }) => (
              <Table.Tr key={c.id} aria-level={depth + 1}>
                <Table.Td style={{ paddingInlineStart: 12 + depth * 24 }}>
                  <Text size="sm" fw={depth === 0 ? 600 : 400}>
                    {depth > 0 && (
                      <Text span c="dimmed" aria-hidden>
                        └{' '}
                      </Text>
                    )}
                    {c.displayName}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" c="dimmed">
                    {c.slug}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  {writable && (
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="subtle" onClick={() => setEditing(c)} aria-label={t('categories.editNamed', { name: c.displayName })}>
                        {t('common.edit')}
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(c)} aria-label={t('categories.deleteNamed', { name: c.displayName })}>
                        {t('categories.delete')}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <CategoryModal category={editing} all={categories.data?.data ?? []} onClose={() => setEditing(null)} />
      <ConfirmDialog
        opened={!!deleting}
        title={t('categories.deleteTitle')}
        message={t('categories.deleteConfirm', { name: deleting?.displayName ?? '' })}
        confirmLabel={t('categories.delete')}
        danger
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      />
    </Stack>
  );
}

function CategoryModal({ category, all, onClose }: { category: Category | 'new' | null; all: Category[]; onClose: () => void }) {
  const { t } = useTranslation();
  const existing = category && category !== 'new' ? category : null;
  const form = useForm({
    initialValues: { nameEn: '', nameNl: '', parentId: '' },
    validate: { nameEn: (v, a) => (v.trim() || a.nameNl.trim() ? null : t('categories.form.nameRequired')) },
  });
  useEffect(() => {
    if (category) form.setValues({ nameEn: existing?.name.en ?? '', nameNl: existing?.name.nl ?? '', parentId: existing?.parentId ?? '' });
  }, [category]);

  // A category cannot move under itself or one of its descendants.
  const excluded = new Set<string>();
  if (existing) {
    excluded.add(existing.id);
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of all) if (c.parentId && excluded.has(c.parentId) && !excluded.has(c.id)) (excluded.add(c.id), (grew = true));
    }
  }
  const parents = categoryOptions(all).filter((o) => !excluded.has(o.value));

  const save = useSaveCategory({
    onSuccess: (c) => {
      notifySuccess(t('categories.saved', { name: c.displayName }));
      close();
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });
  function close() {
    form.reset();
    save.reset();
    onClose();
  }
  return (
    <Modal opened={!!category} onClose={close} title={existing ? t('categories.editNamed', { name: existing.displayName }) : t('categories.new')}>
      <form onSubmit={form.onSubmit((v) => save.mutate({ existing, body: { name: { en: v.nameEn.trim() || null, nl: v.nameNl.trim() || null }, parentId: v.parentId || null } }))} noValidate>
        <Stack>
          {save.isError && (
            <Alert color="red" role="alert">
              {problemMessage(save.error)}
            </Alert>
          )}
          <TextInput label={t('categories.nameEn')} data-autofocus {...form.getInputProps('nameEn')} />
          <TextInput label={t('categories.nameNl')} {...form.getInputProps('nameNl')} />
          <Select label={t('categories.parent')} placeholder={t('categories.topLevel')} data={parents} searchable clearable {...form.getInputProps('parentId')} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {existing ? t('common.save') : t('categories.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
