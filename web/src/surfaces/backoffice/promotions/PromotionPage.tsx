// One promotion: the builder (new or existing) with its live preview beside it, and for a saved
// promotion its coupon codes on a second tab.
import { Alert, Anchor, Badge, Button, Card, Center, Checkbox, Grid, Group, List, Loader, NumberInput, Select, SimpleGrid, Stack, Tabs, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiProblem } from '../../../api/client';
import { usePromotion, useSavePromotion } from '../../../api/hooks/promotions';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { useCan } from '../../../lib/auth';
import { errorAt } from '../../../lib/catalog';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { notifyError, notifySuccess, problemMessage } from '../../../lib/notify';
import { CouponsPanel } from './CouponsPanel';
import { CHANNELS, STATUSES, STATUS_COLORS, asPatch, buildInput, emptyForm, formFromPromotion, ruleSummary, type Channel, type FormErrors, type Promotion, type PromotionForm } from './model';
import { PreviewPanel } from './PreviewPanel';
import { RuleFields } from './RuleFields';
import { TargetFields } from './TargetFields';

export function NewPromotionPage() {
  return <PromotionBuilder />;
}

export function PromotionDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('promotions');
  const promotion = usePromotion(id);
  if (promotion.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('loading')} />
      </Center>
    );
  }
  if (promotion.isError) return <QueryError error={promotion.error} onRetry={() => void promotion.refetch()} />;
  return <PromotionBuilder promotion={promotion.data} onConflict={() => void promotion.refetch()} />;
}

/** Server field paths ("/limits/budget") mapped to the form's own names. */
const SERVER_FIELDS: Record<string, string> = {
  '/name': 'name',
  '/priority': 'priority',
  '/startsAt': 'startsAt',
  '/endsAt': 'endsAt',
  '/customerId': 'customerId',
  '/channels': 'channels',
  '/storeIds': 'storeIds',
  '/customerGroups': 'customerGroups',
  '/limits/total': 'limitTotal',
  '/limits/perCustomer': 'limitPerCustomer',
  '/limits/budget': 'budget',
};

function PromotionBuilder({ promotion, onConflict }: { promotion?: Promotion; onConflict?: () => void }) {
  const { t, i18n } = useTranslation('promotions');
  const can = useCan();
  const navigate = useNavigate();
  const writable = can('promotions:write');
  const [form, setForm] = useState<PromotionForm>(() => (promotion ? formFromPromotion(promotion, i18n.language) : emptyForm()));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FormErrors>({});
  const [tab, setTab] = useState<string | null>('definition');

  // A fresh copy from the server (after a save, or a reload after a 412) replaces the form.
  useEffect(() => {
    if (promotion) setForm(formFromPromotion(promotion, i18n.language));
  }, [promotion?.id, promotion?.version]);

  const built = useMemo(() => buildInput(form, t), [form, t]);
  // The preview does not need a name yet; everything else must be valid to price the cart.
  const forPreview = useMemo(() => buildInput({ ...form, name: form.name.trim() || t('builder.untitled') }, t), [form, t]);
  const shownErrors: FormErrors = { ...(submitted ? built.errors : withoutName(built.errors)), ...serverErrors };
  const set = (patch: Partial<PromotionForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    if (Object.keys(serverErrors).length) setServerErrors({});
  };

  const save = useSavePromotion({
    onSuccess: (saved) => {
      notifySuccess(promotion ? t('builder.saved', { name: saved.name }) : t('builder.created', { name: saved.name }));
      if (!promotion) void navigate(`/backoffice/promotions/${saved.id}`, { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiProblem && err.status === 412) {
        notifyError(new ApiProblem({ status: 412, code: 'precondition_failed', title: t('builder.conflict'), detail: t('builder.conflict') }));
        onConflict?.();
        return;
      }
      if (err instanceof ApiProblem) {
        const mapped: FormErrors = {};
        for (const [path, field] of Object.entries(SERVER_FIELDS)) {
          const message = errorAt(err, path);
          if (message) mapped[field] = message;
        }
        setServerErrors(mapped);
      }
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (!built.input) return;
    save.mutate(promotion ? { id: promotion.id, version: promotion.version, patch: asPatch(built.input) } : { create: built.input });
  }

  const title = promotion ? promotion.name : t('builder.newTitle');
  const saveError = save.isError && !(save.error instanceof ApiProblem && save.error.status === 412) ? save.error : null;

  const editor = (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <form onSubmit={submit} noValidate aria-label={t('builder.formLabel')}>
          <fieldset disabled={!writable} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
            <Stack gap="lg">
              {saveError && (
                <Alert color="red" role="alert" title={t('builder.saveFailed')}>
                  <Text size="sm">{problemMessage(saveError)}</Text>
                  {saveError instanceof ApiProblem && saveError.errors.length > 0 && (
                    <List size="sm" mt={4}>
                      {saveError.errors.map((fe, i) => (
                        <List.Item key={i}>
                          <Text span ff="monospace" size="xs">
                            {fe.field}
                          </Text>
                          : {fe.message}
                        </List.Item>
                      ))}
                    </List>
                  )}
                </Alert>
              )}
              {submitted && !built.input && (
                <Alert color="red" role="alert">
                  {t('builder.fixErrors')}
                </Alert>
              )}

              <Section title={t('builder.general')}>
                <TextInput label={t('fields.name')} required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={shownErrors.name} data-autofocus={!promotion || undefined} />
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <Select
                    label={t('fields.status')}
                    data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                    value={form.status}
                    onChange={(s) => s && set({ status: s as PromotionForm['status'] })}
                    allowDeselect={false}
                  />
                  <NumberInput label={t('fields.priority')} description={t('fields.priorityHint')} min={-1000} max={1000} allowDecimal={false} value={form.priority} onChange={(priority) => set({ priority })} error={shownErrors.priority} />
                  <Select
                    label={t('fields.stacking')}
                    description={t(`stackingHint.${form.stacking}`)}
                    data={(['exclusive', 'combinable'] as const).map((s) => ({ value: s, label: t(`stacking.${s}`) }))}
                    value={form.stacking}
                    onChange={(s) => s && set({ stacking: s as PromotionForm['stacking'] })}
                    allowDeselect={false}
                  />
                </SimpleGrid>
              </Section>

              <Section title={t('builder.rule')}>
                <RuleFields value={form.rule} onChange={(rule) => set({ rule })} errors={shownErrors} />
              </Section>

              {form.rule.kind !== 'bundle' && form.rule.kind !== 'free_shipping' && (
                <Section title={t('builder.target')}>
                  <TargetFields label={t('target.label')} value={form.target} onChange={(target) => set({ target })} path="target" errors={shownErrors} />
                </Section>
              )}

              <Section title={t('builder.scope')}>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <ChannelChecks value={form.channels} onChange={(channels) => set({ channels })} error={shownErrors.channels} />
                  <TagsInput label={t('fields.storeIds')} description={t('fields.storeIdsHint')} value={form.storeIds} onChange={(storeIds) => set({ storeIds })} clearable error={shownErrors.storeIds} />
                  <TagsInput label={t('fields.customerGroups')} description={t('fields.customerGroupsHint')} value={form.customerGroups} onChange={(customerGroups) => set({ customerGroups })} clearable error={shownErrors.customerGroups} />
                  <TextInput label={t('fields.customerId')} description={t('fields.customerIdHint')} value={form.customerId} onChange={(e) => set({ customerId: e.currentTarget.value })} error={shownErrors.customerId} />
                </SimpleGrid>
                <Checkbox label={t('fields.memberOnly')} checked={form.memberOnly} onChange={(e) => set({ memberOnly: e.currentTarget.checked })} />
                <Checkbox label={t('fields.requiresCoupon')} description={t('fields.requiresCouponHint')} checked={form.requiresCoupon} onChange={(e) => set({ requiresCoupon: e.currentTarget.checked })} />
              </Section>

              <Section title={t('builder.schedule')}>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput type="datetime-local" label={t('fields.startsAt')} description={t('fields.startsAtHint')} value={form.startsAt} onChange={(e) => set({ startsAt: e.currentTarget.value })} error={shownErrors.startsAt} />
                  <TextInput type="datetime-local" label={t('fields.endsAt')} description={t('fields.endsAtHint')} value={form.endsAt} onChange={(e) => set({ endsAt: e.currentTarget.value })} error={shownErrors.endsAt} />
                </SimpleGrid>
              </Section>

              <Section title={t('builder.limits')}>
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <NumberInput label={t('fields.limitTotal')} description={t('fields.unlimitedHint')} min={0} allowDecimal={false} allowNegative={false} value={form.limitTotal} onChange={(limitTotal) => set({ limitTotal })} error={shownErrors.limitTotal} />
                  <NumberInput label={t('fields.limitPerCustomer')} description={t('fields.unlimitedHint')} min={0} allowDecimal={false} allowNegative={false} value={form.limitPerCustomer} onChange={(limitPerCustomer) => set({ limitPerCustomer })} error={shownErrors.limitPerCustomer} />
                  <TextInput label={t('fields.budget')} description={t('fields.budgetHint')} leftSection="€" inputMode="decimal" placeholder={t('rule.euroPlaceholder')} value={form.budget} onChange={(e) => set({ budget: e.currentTarget.value })} error={shownErrors.budget} />
                </SimpleGrid>
              </Section>

              {writable && (
                <Group justify="flex-end">
                  <Button variant="default" component={Link} to="/backoffice/promotions">
                    {t('builder.cancel')}
                  </Button>
                  <Button type="submit" loading={save.isPending}>
                    {promotion ? t('builder.save') : t('builder.create')}
                  </Button>
                </Group>
              )}
            </Stack>
          </fieldset>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <div style={{ position: 'sticky', top: 76 }}>
          <PreviewPanel input={forPreview.input} invalid={!forPreview.input} />
        </div>
      </Grid.Col>
    </Grid>
  );

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to="/backoffice/promotions" size="sm">
          ← {t('builder.backToList')}
        </Anchor>
        <PageHeader
          title={title}
          description={forPreview.input ? ruleSummary(forPreview.input.rule, t) : undefined}
          actions={
            promotion && (
              <Badge size="lg" variant="light" color={STATUS_COLORS[promotion.status]}>
                {t(`status.${promotion.status}`)}
              </Badge>
            )
          }
        />
        {promotion && (
          <Text size="sm" c="dimmed" mt={-8}>
            {t('builder.meta', {
              id: promotion.id,
              redemptions: promotion.usage.redemptions,
              spent: formatMoney(promotion.usage.spent),
              updated: formatDateTime(promotion.updatedAt),
            })}
          </Text>
        )}
      </div>
      {promotion ? (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List mb="lg">
            <Tabs.Tab value="definition">{t('builder.tabDefinition')}</Tabs.Tab>
            <Tabs.Tab value="coupons">{t('builder.tabCoupons')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="definition">{editor}</Tabs.Panel>
          <Tabs.Panel value="coupons">
            <CouponsPanel promotion={promotion} />
          </Tabs.Panel>
        </Tabs>
      ) : (
        editor
      )}
    </Stack>
  );
}

function withoutName(errors: FormErrors): FormErrors {
  const { name: _name, ...rest } = errors;
  return rest;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      <Stack gap="sm">{children}</Stack>
    </Card>
  );
}

function ChannelChecks({ value, onChange, error }: { value: Channel[]; onChange: (next: Channel[]) => void; error?: string }) {
  const { t } = useTranslation('promotions');
  return (
    <Checkbox.Group label={t('fields.channels')} description={t('fields.channelsHint')} value={value} onChange={(v) => onChange(CHANNELS.filter((c) => v.includes(c)))} error={error}>
      <Group gap="md" mt={6}>
        {CHANNELS.map((c) => (
          <Checkbox key={c} value={c} label={t(`channels.${c}`)} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}
