export const PRODUCT_STATUS_COLORS = { active: 'teal', draft: 'yellow', archived: 'gray' } as const;
export const TAX_CLASSES = ['standard', 'intermediate', 'reduced', 'zero'] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];
