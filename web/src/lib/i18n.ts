// Dutch and English. The first visit follows the browser's language; a choice in the header is
// remembered in localStorage. Dates and numbers are formatted for the chosen language too.
import i18n from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from '../locales/en';
import { nl } from '../locales/nl';

export const LANGUAGES = [
  { code: 'nl', label: 'Nederlands' },
  { code: 'en', label: 'English' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'winkel.language';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'nl' || saved === 'en') return saved;
  } catch {
    // No storage: fall through to the browser's preference.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag?.toLowerCase().split('-')[0];
    if (base === 'nl' || base === 'en') return base;
  }
  return 'en';
}

export function setLanguage(language: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered, but still switched for this visit.
  }
  void i18n.changeLanguage(language);
}

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, nl: { translation: nl } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/**
 * Register a namespace of texts (web/src/locales/<namespace>.ts) when the part of the app that uses
 * it loads, so a surface's texts ride in its own chunk. Components already on screen re-render in
 * the current language once the texts are there.
 */
export function registerTexts<T extends object>(namespace: string, texts: { en: T; nl: T }) {
  i18n.addResourceBundle('en', namespace, texts.en, true, true);
  i18n.addResourceBundle('nl', namespace, texts.nl, true, true);
  void i18n.changeLanguage(i18n.language);
}

export default i18n;

/** The language content is asked in from the API (titles, descriptions, reasons): 'nl' or 'en'. */
export type ContentLocale = 'nl' | 'en';
export function contentLocale(language: string = i18n.language): ContentLocale {
  return language?.toLowerCase().startsWith('nl') ? 'nl' : 'en';
}
/** The content language, following the language switch (a component re-renders when it changes). */
export function useContentLocale(): ContentLocale {
  const { i18n: instance } = useTranslation();
  return contentLocale(instance.language);
}
