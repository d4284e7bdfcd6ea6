/** Rough token counts before a request is sent (the server's usage numbers are what the ledger records). */

/** About four characters a token for English with BPE tokenizers; rounds up so limits err on the safe side. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimateMessagesTokens(messages: readonly { content: string }[]): number {
  // ~4 tokens of chat-template framing per message
  return messages.reduce((s, m) => s + estimateTokens(m.content) + 4, 0);
}
