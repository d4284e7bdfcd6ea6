/**
 * The workers' hold on ECS scaling: raising a service's desired count when work is sent (SQS metrics lag after an
 * idle queue), and protecting a task from scale-in while it holds a message.
 */
export {
  DEFAULT_MAX_TASKS,
  parseService,
  type RaiseOptions,
  type RaiseResult,
  raiseDesiredCount,
} from './raise-desired-count.js';
export {
  TASK_PROTECTION_PATH,
  type TaskProtection,
  type TaskProtectionOptions,
  taskProtectionFrom,
} from './task-protection.js';
