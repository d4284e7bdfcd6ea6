export { default } from '@callthemes/common/vitest-config';
