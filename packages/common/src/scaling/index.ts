/** Raising the firm service's desired count when work is enqueued (SQS metrics lag after an idle queue). */
export * from './raise-desired-count.js';
