// The promotion builder's form state and how it maps to and from the API's definition. Amounts are
// typed in euros (kept as text so "2,50" survives editing) and sent as integer cents.
import type { TFunction } from 'i18next';
import type { Schemas } from '../../../api/client';
import { formatMoney, parseMoney } from '../../../lib/money';
import { centsToInput } from '../../../lib/money';

export type Promotion = Schemas['Promotion'];
export type PromotionInput = Schemas['PromotionInput'];
export type PromotionRule = Schemas['PromotionRule'];
export type PromotionTarget = Schemas['PromotionTarget'];
export type RuleKind = PromotionRule['kind'];
export type Channel = NonNullable<PromotionInput['channels']>[number];
export type PromotionStatus = PromotionInput['status'];

export const RULE_KINDS: RuleKind[] = ['percent_off_items', 'amount_off_items', 'percent_off_order', 'amount_off_order', 'buy_x_get_y', 'multi_buy', 'bundle', 'free_shipping'];
export const CHANNELS: Channel[] = ['web', 'app', 'pos', 'kiosk', 'scan_go'];
export const STATUSES: PromotionStatus[] = ['draft', 'active', 'archived'];
export const STATUS_COLORS: Record<PromotionStatus, string> = { draft: 'gray', active: 'teal', archived: 'dark' };

/** Which lines a rule (or a bundle component, or the "get" side of buy X get Y) looks at. */
export interface TargetState {
  mode: 'all' | 'categories' | 'skus' | 'products';
  categoryIds: string[];
  skus: string[];
  productIds: string[];
}

export interface BundleComponentState {
  key: string;
  label: string;
  quantity: number | string;
  target: TargetState;
}

export interface RuleState {
  kind: RuleKind;
  percent: number | string;
  amountPerUnit: string;
  amount: string;
  minSubtotal: string;
  buy: number | string;
  get: number | string;
  getPercentOff: number | string;
  getTargetSame: boolean;
  getTarget: TargetState;
  quantity: number | string;
  multiMode: 'payFor' | 'forPrice';
  payFor: number | string;
  forPrice: string;
  components: BundleComponentState[];
  bundlePrice: string;
}

export interface PromotionForm {
  name: string;
  status: PromotionStatus;
  priority: number | string;
  stacking: 'exclusive' | 'combinable';
  rule: RuleState;
  target: TargetState;
  channels: Channel[];
  storeIds: string[];
  memberOnly: boolean;
  customerGroups: string[];
  customerId: string;
  requiresCoupon: boolean;
  startsAt: string;
  endsAt: string;
  limitTotal: number | string;
  limitPerCustomer: number | string;
  budget: string;
}

export const emptyTarget = (mode: TargetState['mode'] = 'all'): TargetState => ({ mode, categoryIds: [], skus: [], productIds: [] });

let componentSeq = 0;
export const newComponent = (): BundleComponentState => ({ key: `c${++componentSeq}`, label: '', quantity: 1, target: emptyTarget('skus') });

export function emptyForm(): PromotionForm {
  return {
    name: '',
    status: 'draft',
    priority: 0,
    stacking: 'exclusive',
    rule: {
      kind: 'percent_off_items',
      percent: 10,
      amountPerUnit: '',
      amount: '',
      minSubtotal: '',
      buy: 1,
      get: 1,
      getPercentOff: 100,
      getTargetSame: true,
      getTarget: emptyTarget('skus'),
      quantity: 3,
      multiMode: 'payFor',
      payFor: 2,
      forPrice: '',
      components: [newComponent(), newComponent()],
      bundlePrice: '',
    },
    target: emptyTarget('all'),
    channels: [],
    storeIds: [],
    memberOnly: false,
    customerGroups: [],
    customerId: '',
    requiresCoupon: false,
    startsAt: '',
    endsAt: '',
    limitTotal: '',
    limitPerCustomer: '',
    budget: '',
  };
}

/** An ISO timestamp as the value of a datetime-local input, in the browser's time zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function targetFromApi(t: PromotionTarget | undefined, fallback: TargetState['mode'] = 'all'): TargetState {
  if (!t) return emptyTarget(fallback);
  if (t.all) return emptyTarget('all');
  const state: TargetState = { mode: fallback, categoryIds: t.categoryIds ?? [], skus: t.skus ?? [], productIds: t.productIds ?? [] };
  if (state.categoryIds.length) state.mode = 'categories';
  else if (state.skus.length) state.mode = 'skus';
  else if (state.productIds.length) state.mode = 'products';
  return state;
}

export function formFromPromotion(p: Promotion, language: string): PromotionForm {
  const form = emptyForm();
  const r = p.rule;
  const rule: RuleState = { ...form.rule, kind: r.kind };
  switch (r.kind) {
    case 'percent_off_items':
      rule.percent = r.percent;
      break;
    case 'amount_off_items':
      rule.amountPerUnit = centsToInput(r.amountPerUnit, language);
      break;
    case 'percent_off_order':
      rule.percent = r.percent;
      rule.minSubtotal = centsToInput(r.minSubtotal, language);
      break;
    case 'amount_off_order':
      rule.amount = centsToInput(r.amount, language);
      rule.minSubtotal = centsToInput(r.minSubtotal, language);
      break;
    case 'buy_x_get_y':
      rule.buy = r.buy;
      rule.get = r.get;
      rule.getPercentOff = r.getPercentOff;
      rule.getTargetSame = !r.getTarget;
      rule.getTarget = targetFromApi(r.getTarget, 'skus');
      break;
    case 'multi_buy':
      rule.quantity = r.quantity;
      rule.multiMode = r.forPrice !== undefined ? 'forPrice' : 'payFor';
      rule.payFor = r.payFor ?? 2;
      rule.forPrice = centsToInput(r.forPrice, language);
      break;
    case 'bundle':
      rule.components = r.components.map((c) => ({ ...newComponent(), label: c.label ?? '', quantity: c.quantity, target: targetFromApi(c.target, 'skus') }));
      rule.bundlePrice = centsToInput(r.bundlePrice, language);
      break;
    case 'free_shipping':
      rule.minSubtotal = centsToInput(r.minSubtotal, language);
      break;
  }
  return {
    name: p.name,
    status: p.status,
    priority: p.priority,
    stacking: p.stacking,
    rule,
    target: targetFromApi(p.target),
    channels: p.channels ?? [],
    storeIds: p.storeIds ?? [],
    memberOnly: !!p.memberOnly,
    customerGroups: p.customerGroups ?? [],
    customerId: p.customerId ?? '',
    requiresCoupon: !!p.requiresCoupon,
    startsAt: isoToLocalInput(p.startsAt),
    endsAt: isoToLocalInput(p.endsAt),
    limitTotal: p.limits?.total ?? '',
    limitPerCustomer: p.limits?.perCustomer ?? '',
    budget: centsToInput(p.limits?.budget, language),
  };
}

/** Field path (as the form names it) → message, for what can be checked before asking the server. */
export type FormErrors = Record<string, string>;

export interface BuildResult {
  input: PromotionInput | null;
  errors: FormErrors;
}

function targetToApi(t: TargetState, path: string, errors: FormErrors, tr: TFunction): PromotionTarget {
  switch (t.mode) {
    case 'all':
      return { all: true };
    case 'categories':
      if (!t.categoryIds.length) errors[`${path}.categoryIds`] = tr('errors.pickCategory');
      return { categoryIds: t.categoryIds };
    case 'skus':
      if (!t.skus.length) errors[`${path}.skus`] = tr('errors.pickSku');
      return { skus: t.skus };
    case 'products':
      if (!t.productIds.length) errors[`${path}.productIds`] = tr('errors.pickProduct');
      return { productIds: t.productIds };
  }
}

/**
 * The API definition for the form, or the reasons it cannot be built yet. Both the preview and
 * saving use this, so what is previewed is exactly what would be saved.
 */
export function buildInput(f: PromotionForm, tr: TFunction): BuildResult {
  const errors: FormErrors = {};
  const money = (value: string, field: string, required: boolean): number | undefined => {
    if (!value.trim()) {
      if (required) errors[field] = tr('errors.amountRequired');
      return undefined;
    }
    const cents = parseMoney(value);
    if (cents === null || cents < 0) {
      errors[field] = tr('errors.amountInvalid');
      return undefined;
    }
    return cents;
  };
  const whole = (value: number | string, field: string, min: number, required = true): number | undefined => {
    if (value === '' || value === undefined) {
      if (required) errors[field] = tr('errors.numberRequired');
      return undefined;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      errors[field] = tr('errors.wholeAtLeast', { min });
      return undefined;
    }
    return n;
  };
  const percent = (value: number | string, field: string): number => {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n <= 0 || n > 100) errors[field] = tr('errors.percentRange');
    return n;
  };

  if (!f.name.trim()) errors.name = tr('errors.nameRequired');
  const r = f.rule;
  let rule: PromotionRule;
  switch (r.kind) {
    case 'percent_off_items':
      rule = { kind: r.kind, percent: percent(r.percent, 'rule.percent') };
      break;
    case 'amount_off_items':
      rule = { kind: r.kind, amountPerUnit: money(r.amountPerUnit, 'rule.amountPerUnit', true) ?? 0 };
      break;
    case 'percent_off_order':
      rule = { kind: r.kind, percent: percent(r.percent, 'rule.percent'), minSubtotal: money(r.minSubtotal, 'rule.minSubtotal', false) };
      break;
    case 'amount_off_order':
      rule = { kind: r.kind, amount: money(r.amount, 'rule.amount', true) ?? 0, minSubtotal: money(r.minSubtotal, 'rule.minSubtotal', false) };
      break;
    case 'buy_x_get_y':
      rule = {
        kind: r.kind,
        buy: whole(r.buy, 'rule.buy', 1) ?? 1,
        get: whole(r.get, 'rule.get', 1) ?? 1,
        getPercentOff: percent(r.getPercentOff, 'rule.getPercentOff'),
        getTarget: r.getTargetSame ? undefined : targetToApi(r.getTarget, 'rule.getTarget', errors, tr),
      };
      break;
    case 'multi_buy': {
      const quantity = whole(r.quantity, 'rule.quantity', 2) ?? 2;
      if (r.multiMode === 'payFor') {
        const payFor = whole(r.payFor, 'rule.payFor', 1) ?? 1;
        if (!errors['rule.payFor'] && payFor >= quantity) errors['rule.payFor'] = tr('errors.payForBelowQuantity');
        rule = { kind: r.kind, quantity, payFor };
      } else {
        rule = { kind: r.kind, quantity, forPrice: money(r.forPrice, 'rule.forPrice', true) ?? 0 };
      }
      break;
    }
    case 'bundle':
      if (r.components.length < 2) errors['rule.components'] = tr('errors.twoComponents');
      rule = {
        kind: r.kind,
        components: r.components.map((c, i) => ({
          target: targetToApi(c.target, `rule.components.${i}.target`, errors, tr),
          quantity: whole(c.quantity, `rule.components.${i}.quantity`, 1) ?? 1,
          ...(c.label.trim() ? { label: c.label.trim() } : {}),
        })),
        bundlePrice: money(r.bundlePrice, 'rule.bundlePrice', true) ?? 0,
      };
      break;
    case 'free_shipping':
      rule = { kind: r.kind, minSubtotal: money(r.minSubtotal, 'rule.minSubtotal', false) };
      break;
  }
  // Drop optional amounts that were left empty, so the body carries no `undefined` keys.
  rule = Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as PromotionRule;

  const toIso = (local: string, field: string): string | null => {
    if (!local) return null;
    const d = new Date(local);
    if (Number.isNaN(d.getTime())) {
      errors[field] = tr('errors.dateInvalid');
      return null;
    }
    return d.toISOString();
  };
  const startsAt = toIso(f.startsAt, 'startsAt');
  const endsAt = toIso(f.endsAt, 'endsAt');
  if (startsAt && endsAt && endsAt <= startsAt) errors.endsAt = tr('errors.endBeforeStart');

  const priority = whole(f.priority, 'priority', -1000, false) ?? 0;
  if (priority > 1000) errors.priority = tr('errors.priorityRange');
  const total = whole(f.limitTotal, 'limitTotal', 0, false);
  const perCustomer = whole(f.limitPerCustomer, 'limitPerCustomer', 0, false);
  const budget = money(f.budget, 'budget', false);
  const limits = { ...(total !== undefined ? { total } : {}), ...(perCustomer !== undefined ? { perCustomer } : {}), ...(budget !== undefined ? { budget } : {}) };

  const input: PromotionInput = {
    name: f.name.trim(),
    status: f.status,
    stacking: f.stacking,
    priority,
    rule,
    target: targetToApi(f.target, 'target', errors, tr),
    startsAt,
    endsAt,
    memberOnly: f.memberOnly,
    requiresCoupon: f.requiresCoupon,
    ...(f.channels.length ? { channels: f.channels } : {}),
    ...(f.storeIds.length ? { storeIds: f.storeIds } : {}),
    ...(f.customerGroups.length ? { customerGroups: f.customerGroups } : {}),
    ...(f.customerId.trim() ? { customerId: f.customerId.trim() } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
  return { input: Object.keys(errors).length ? null : input, errors };
}

export type PromotionPatch = Schemas['PromotionPatch'];

/**
 * The PATCH for a saved promotion edited in the builder: the whole definition, with null for every
 * restriction the form leaves empty, so that emptying a list in the form really removes it.
 */
export function asPatch(input: PromotionInput): PromotionPatch {
  return {
    ...input,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    channels: input.channels ?? null,
    storeIds: input.storeIds ?? null,
    customerGroups: input.customerGroups ?? null,
    customerId: input.customerId ?? null,
    limits: input.limits ?? null,
    target: input.target ?? null,
  };
}

/** The rule in words, for the list and the builder's heading: "3 for the price of 2". */
export function ruleSummary(rule: PromotionRule, t: TFunction): string {
  const min = (cents: number | undefined) => (cents ? t('summary.minSubtotal', { amount: formatMoney(cents) }) : '');
  switch (rule.kind) {
    case 'percent_off_items':
      return t('summary.percent_off_items', { percent: rule.percent });
    case 'amount_off_items':
      return t('summary.amount_off_items', { amount: formatMoney(rule.amountPerUnit) });
    case 'percent_off_order':
      return t('summary.percent_off_order', { percent: rule.percent }) + min(rule.minSubtotal);
    case 'amount_off_order':
      return t('summary.amount_off_order', { amount: formatMoney(rule.amount) }) + min(rule.minSubtotal);
    case 'buy_x_get_y':
      return rule.getPercentOff >= 100
        ? t('summary.buy_x_get_y_free', { buy: rule.buy, get: rule.get })
        : t('summary.buy_x_get_y', { buy: rule.buy, get: rule.get, percent: rule.getPercentOff });
    case 'multi_buy':
      return rule.forPrice !== undefined
        ? t('summary.multi_buy_price', { quantity: rule.quantity, price: formatMoney(rule.forPrice) })
        : t('summary.multi_buy_pay', { quantity: rule.quantity, payFor: rule.payFor ?? rule.quantity });
    case 'bundle':
      return t('summary.bundle', { count: rule.components.length, price: formatMoney(rule.bundlePrice) });
    case 'free_shipping':
      return t('summary.free_shipping') + min(rule.minSubtotal);
  }
}

export { centsToInput };
