// Dates typed and shown day first, whatever the computer's locale. The webview's own date
// pickers follow the locale (on a US-configured laptop 5 Jan shows as 01/05, read in Britain as
// 1 May), so the app reads and writes its dates itself. Stored values stay ISO ('YYYY-MM-DD',
// 'YYYY-MM-DDTHH:MM').

import { formatDate } from './format';

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function isoDay(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(year, month - 1, day);
  if (date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function monthFromName(word: string): number | null {
  if (word.length < 3) return null;
  const i = MONTH_NAMES.findIndex((m) => m.startsWith(word));
  return i < 0 ? null : i + 1;
}

/**
 * A date as a British reader writes it, to 'YYYY-MM-DD'; null when it is not one. Takes
 * '5/1/2027', '05-01-27', '5.1.2027', '5 Jan 2027', '5th January 2027', 'Tue 5 Jan 2027' and
 * ISO '2027-01-05' (what scripts and pasted data use). Day first, always.
 */
export function parseBritishDate(text: string): string | null {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+/, '');
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return isoDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})$/.exec(t);
  if (m) return isoDay(m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$/.exec(t);
  if (m) {
    const month = monthFromName(m[2]);
    return month === null ? null : isoDay(Number(m[3]), month, Number(m[1]));
  }
  return null;
}

/** '09:15', '9.15', '915' or '9:15am' / '2:05 pm' to 'HH:MM' (24-hour); null when it is not a time. */
export function parseTime(text: string): string | null {
  const m = /^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  let hours = Number(m[1]);
  const minutes = Number(m[2] ?? '0');
  if (m[3]) {
    if (hours < 1 || hours > 12) return null;
    hours = (hours % 12) + (m[3] === 'pm' ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return null;
  return `${pad(hours)}:${pad(minutes)}`;
}

/**
 * A date and time ('24/11/2026 09:15', '24 Nov 2026, 9:15', ISO '2026-11-24T09:15') to
 * 'YYYY-MM-DDTHH:MM'; null when it is not one.
 */
export function parseBritishDateTime(text: string): string | null {
  const t = text.trim();
  const iso = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(t);
  if (iso) return parseBritishDate(iso[1]) && parseTime(iso[2]) ? `${iso[1]}T${iso[2]}` : null;
  const m = /^(.*?)[,\s]+(?:at\s+)?(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)$/i.exec(t);
  if (!m) return null;
  const day = parseBritishDate(m[1]);
  const time = parseTime(m[2]);
  return day && time ? `${day}T${time}` : null;
}

/** 'YYYY-MM-DDTHH:MM' as it is shown in an entry box: '24 Nov 2026, 09:15'. */
export function formatDateTimeEntry(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
  return m ? `${formatDate(m[1])}, ${m[2]}` : value;
}
