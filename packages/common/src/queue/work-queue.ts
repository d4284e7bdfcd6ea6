/**
 * The WorkQueue port: SQS's semantics, whichever adapter runs it (./sqs-queue.ts on AWS, ./sqlite-queue.ts
 * locally). Delivery is at-least-once: a received message is hidden for its visibility timeout; not deleted in
 * time, it is delivered again with a higher receive count; past the queue's `maxReceiveCount` it moves to the
 * dead-letter queue, from which `redrive` moves it back.
 */

export interface QueueMessage {
  /** Stable across deliveries of the same message. */
  id: string;
  body: string;
  /** This delivery's handle: delete / visibility changes use it; a later delivery gets a new one. */
  receipt: string;
  /** 1 on the first delivery. */
  receiveCount: number;
}

export interface QueueDepth {
  /** Ready to be received. */
  visible: number;
  /** Received and not yet deleted or timed out. */
  inFlight: number;
  /** In the dead-letter queue. */
  deadLetters: number;
}

export interface ReceiveOptions {
  max?: number;
  /** Seconds a received message stays hidden (default: the queue's). */
  visibilitySeconds?: number;
  /** Long poll: wait up to this many seconds for a message (0: answer at once). */
  waitSeconds?: number;
}

/** What a handler did with a message: `done` deletes it; `release` makes it visible again now. */
export type HandleResult = 'done' | 'release';

export interface ConsumeOptions {
  /** Handles one message; throwing leaves it to time out (and count towards the dead-letter queue). */
  handle(message: QueueMessage, signal: AbortSignal): Promise<HandleResult>;
  visibilitySeconds: number;
  /** Extends the visibility of the message being handled every this many seconds (< visibilitySeconds). */
  heartbeatSeconds: number;
  /** Long-poll seconds of each receive. */
  waitSeconds: number;
  /** A receive came back empty: the queue had nothing visible for `waitSeconds`. */
  onEmpty?(): void;
  onError?(err: Error, message?: QueueMessage): void;
}

export interface Consumer {
  start(): void;
  /**
   * Stops receiving, aborts the signal of the message in hand and waits for its handler (a `release` or
   * `done` still applies). Resolves when the consumer is idle.
   */
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface RedriveResult {
  /** Messages moved back (or that would be, with `dryRun`). */
  moved: number;
  /** Adapter's handle of the move (SQS's task handle), when it has one. */
  task?: string;
}

export interface WorkQueue {
  /** The queue's name (`partitions`, `themes`). */
  readonly name: string;
  send(body: string): Promise<string>;
  /** The queue's own visibility timeout (SQS: its VisibilityTimeout attribute), what a receive uses by default. */
  configuredVisibilitySeconds(): Promise<number>;
  receive(options?: ReceiveOptions): Promise<QueueMessage[]>;
  /** Sets the message's remaining invisibility; 0 makes it visible now. A stale receipt is ignored. */
  changeVisibility(receipt: string, seconds: number): Promise<void>;
  /** Deletes the delivered message. A stale receipt is ignored. */
  delete(receipt: string): Promise<void>;
  /** Moves a message to the dead-letter queue at once (it can never succeed: malformed), recording why. */
  deadLetter(message: QueueMessage, reason: string): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Moves every dead letter back to this queue. */
  redrive(options?: { dryRun?: boolean }): Promise<RedriveResult>;
  /** A consume loop over this queue (on SQS: sqs-consumer). */
  consumer(options: ConsumeOptions): Consumer;
  close?(): Promise<void>;
}
