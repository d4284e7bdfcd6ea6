/**
 * The workers' hold on ECS scaling: raising a service's desired count when work is sent (SQS metrics lag after an
 * idle queue), and protecting a task from scale-in while it holds a message.
 */
export * from './raise-desired-count.js';
export * from './task-protection.js';
