/**
 * A linear pre-scan that refuses absurd nesting before the `yaml` parser sees it. The parser spends
 * a lot per nesting level (a 1 MB line of '[' or of '- - -' kept it busy 15-35 s), and the tree's
 * depth limit only applies after parsing. The `yaml` lexer is fast and knows quotes and comments,
 * so brackets inside strings do not count.
 */
import { CST, Lexer } from 'yaml';
import type { Finding } from './findings';
import { TEXT_LIMITS } from './limits';

/** Lexer tokens with no characters in the source (mode switches and scalar markers). */
const SOURCELESS = new Set(['doc-mode', 'scalar', 'flow-error-end']);
const BLOCK_INDICATORS = new Set(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);

/** The too-deep finding for the first place where flow brackets plus same-line block indicators exceed the depth limit. */
export function nestingTooDeep(text: string, limit: number = TEXT_LIMITS.maxDepth): Finding | undefined {
  let offset = 0;
  let flow = 0;
  let lineIndicators = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
    else if (type === 'flow-seq-end' || type === 'flow-map-end') flow = Math.max(0, flow - 1);
    else if (type === 'flow-error-end' || type === 'doc-start') flow = 0;
    else if (type === 'newline') lineIndicators = 0;
    // block indicators only nest outside flow collections (`{a: 1, b: 2}` is one level)
    else if (flow === 0 && type !== null && BLOCK_INDICATORS.has(type)) lineIndicators++;
    if (flow + lineIndicators > limit) {
      return {
        severity: 'error',
        code: 'too-deep',
        message: `Nesting deeper than ${limit} levels: no experiment is shaped like this.`,
        start: offset,
        end: Math.min(text.length, offset + 1),
      };
    }
    if (type === null || !SOURCELESS.has(type)) offset += token.length;
  }
  return undefined;
}
