/**
 * Passwords written inside URLs (`postgresql://user:secret@host/db`): found, so such a value never travels in a
 * message or a plan, and masked, so none reaches run metrics or logs. One pattern serves both.
 */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/gi;

export function hasUrlPassword(value: string): boolean {
  URL_PASSWORD.lastIndex = 0;
  return URL_PASSWORD.test(value);
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`, in every string of a value. */
export function redactUrlPasswords<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'string' ? v.replace(URL_PASSWORD, '$1:***@') : v)),
  ) as T;
}
