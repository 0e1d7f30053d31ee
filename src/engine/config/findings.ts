/** What the validator reports: one finding per problem, placed on the exact key or value at fault. */
import * as t from '../../common/schema';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  readonly severity: Severity;
  /** Stable identifier (also the quick-fix key and the `[code]` the CLI prints). */
  readonly code: FindingCode;
  readonly message: string;
  /** Character offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** Machine-readable details a quick fix needs (the suggestion, the swapped range...). */
  readonly fix?: FindingFix;
  /** Further quick fixes when there is more than one sensible edit (offered after `fix`). */
  readonly moreFixes?: readonly FindingFix[];
}

export type FindingFix =
  | { readonly kind: 'replace'; readonly title: string; readonly start: number; readonly end: number; readonly newText: string }
  | { readonly kind: 'insert'; readonly title: string; readonly offset: number; readonly newText: string };

export const FINDING_CODES = {
  // the text itself
  'yaml-syntax': 'The YAML does not parse.',
  'yaml-tab': 'A tab is used for indentation (YAML allows spaces only).',
  'duplicate-key': 'A key appears twice in the same mapping.',
  'alias-limit': 'Aliases expand to too many nodes (an alias bomb?).',
  'too-deep': 'Nesting is deeper than an experiment can be.',
  'too-large': 'The file is larger than an experiment can be.',
  'not-text': 'The file holds binary data, not YAML text.',
  'multi-document': 'An experiment file holds one YAML document.',
  // shape (from the schema)
  'wrong-type': 'A value has the wrong type.',
  'missing-key': 'A required key is missing.',
  'unknown-key': 'A key the format does not define.',
  'invalid-value': 'A value outside the allowed set or bounds.',
  // meaning
  'unknown-task': 'The task is not one of the built-in tasks.',
  'unknown-parameter': 'A randomization parameter that does not exist in its group.',
  'parameter-not-in-task': 'A parameter the chosen task has nothing to apply to.',
  'unknown-target': 'A target the task does not have.',
  'range-reversed': 'Lower bound above the upper bound.',
  'scale-negative-lower': 'A scale operation with a negative lower bound.',
  'log-uniform-nonpositive': 'A log-uniform range must be positive.',
  'delay-not-integer': 'Delays are whole, non-negative numbers of control steps.',
  'gaussian-missing-std': 'A gaussian distribution needs a std.',
  'distribution-field': 'A field that the chosen distribution does not use or needs.',
  'size-mismatch': 'The vector size does not fit the parameter.',
  'out-of-physical-range': 'A range reaches values the parameter cannot physically take.',
  'missing-file': 'A referenced file or folder does not exist.',
  'duplicate-stage': 'Two stages have the same name.',
  'sim-ratio-range': 'A sim/real ratio outside [0, 1].',
  'robot-without-safety': 'A robot address without a safety block.',
  'address-invalid': 'A robot address that is not a ws:// or wss:// URL.',
  'stage-order': 'Stages in an order that moves away from the robot and back.',
  'stage-needs-robot': 'A stage that runs on the robot in an experiment without a robot block.',
  'gate-unreachable': 'A gate that can never open (on the first stage, or asking real success of a stage that never ran on the robot).',
  'stage-budget': 'A real-episode budget below what the stages and the final evaluation plan.',
  // best practice (warnings)
  'no-visual-randomization': 'An image-based policy without visual randomization.',
  'gate-missing': 'A transfer stage without a sim-success gate of at least 0.95.',
  'narrow-range': 'A range so narrow it is effectively a constant.',
  'no-action-delay': 'No action-delay randomization.',
  'coverage-outside-range': 'A measured value lies outside the randomization range.',
} as const;

export type FindingCode = keyof typeof FINDING_CODES;

export function isError(finding: Finding): boolean {
  return finding.severity === 'error';
}

/** A finding placed by line and column (1-based), as `sim2real validate --json` prints it and the protocol carries it. */
export const findingJson = t.object({
  file: t.string(),
  line: t.id(),
  column: t.id(),
  endLine: t.id(),
  endColumn: t.id(),
  severity: t.oneOf(['error', 'warning', 'info']),
  code: t.string(),
  message: t.string(),
});
export type FindingJson = t.Infer<typeof findingJson>;

/** Where a finding sits: any node of the YAML tree, or a span of the text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A finding on `at`, at least one character wide so an editor can underline it. */
export function findingAt(severity: Severity, code: FindingCode, message: string, at: Span): Finding {
  return { severity, code, message, start: at.start, end: Math.max(at.end, at.start + 1) };
}

export const errorAt = (code: FindingCode, message: string, at: Span): Finding => findingAt('error', code, message, at);
export const warningAt = (code: FindingCode, message: string, at: Span): Finding => findingAt('warning', code, message, at);
