/** `CALLTHEMES_INFERENCE`: `offline` | `http:<url>` | `sagemaker:<endpoint>`. */
export type InferenceSpec =
  | { kind: 'offline' }
  | { kind: 'http'; url: string }
  | { kind: 'sagemaker'; endpoint: string };

/** Throws Error with a one-line reason naming the bad value. */
export function parseInferenceSpec(value: string): InferenceSpec {
  const v = value.trim();
  if (v === 'offline') return { kind: 'offline' };
  if (v.startsWith('http:') || v.startsWith('https:')) {
    // `http:http://host:8000` (the documented form) and a bare `http://host:8000` both work.
    const url = v.startsWith('http:http') ? v.slice('http:'.length) : v;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new Error(`invalid inference "${value}": expected http:<http(s) URL>`);
    }
    return { kind: 'http', url };
  }
  if (v.startsWith('sagemaker:')) {
    const endpoint = v.slice('sagemaker:'.length);
    // SageMaker endpoint names: letters, digits and hyphens, up to 63, not starting with a hyphen.
    if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(endpoint))
      throw new Error(`invalid inference "${value}": "${endpoint}" is not a SageMaker endpoint name`);
    return { kind: 'sagemaker', endpoint };
  }
  throw new Error(`invalid inference "${value}": expected offline, http:<url> or sagemaker:<endpoint>`);
}

export function formatInferenceSpec(s: InferenceSpec): string {
  return s.kind === 'offline' ? 'offline' : s.kind === 'http' ? `http:${s.url}` : `sagemaker:${s.endpoint}`;
}
