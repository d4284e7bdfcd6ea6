/** AWS clients of the operator's commands, configured by the SDK's standard environment (AWS_ENDPOINT_URL_*). */
import { S3Client } from '@aws-sdk/client-s3';

/** Path-style addressing when an endpoint is set (an emulator on 127.0.0.1 has no bucket subdomains). */
export function s3ClientFromEnv(): S3Client {
  const pathStyle = process.env.CALLTHEMES_S3_FORCE_PATH_STYLE;
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    forcePathStyle: pathStyle ? pathStyle === 'true' || pathStyle === '1' : Boolean(endpoint),
  });
}
