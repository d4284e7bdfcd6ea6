/** Settings helpers of the local run. */

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`, in every string of a value. */
export function redactUrlPasswords<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      typeof v === 'string' ? v.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/gi, '$1:***@') : v,
    ),
  ) as T;
}
