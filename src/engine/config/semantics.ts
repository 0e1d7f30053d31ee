/**
 * Checks that need meaning, not just shape: ranges that make physical sense, parameters and targets
 * the chosen task has, files that exist, and the best-practice warnings drawn from the sim-to-real
 * literature. The stages' order and gates are checked in stageChecks.ts.
 */
import { calibrationIn, checkCoverage, type Measurement } from './coverage';
import type { Calibration } from './experiment';
import { calibratedValue } from './nominal';
import { closestName } from '../util/didYouMean';
import { checkRobotDescription, type RobotReader } from './robotChecks';
import { errorAt, warningAt, type Finding, type FindingCode, type Span } from './findings';
import type { LineIndex } from './lineIndex';
import { appliesToTask, parameterInfo, PARAMETER_GROUPS, targetsFor, type ParameterInfo } from './parameters';
import { checkStages } from './stageChecks';
import { isTaskName, TASKS, type TaskInfo } from './taskCatalog';
import { booleanOf, mapAt, numericPair, pairOf, valueOf, type MapNode, type PairNode, type ScalarNode, type SeqNode } from './yamlTree';

export interface SemanticContext {
  readonly lines: LineIndex;
  /** Resolves a path written in the experiment (relative to its folder) and says whether it exists. */
  readonly fileExists?: (relativePath: string) => boolean;
  /** Values measured on the robot outside the file (the editor's newest sysid.json), for the coverage check. */
  readonly measurement?: Measurement;
  /** Loads the URDF named by robot.description, to check it and the names the experiment uses. */
  readonly readRobot?: RobotReader;
}

/** Relative width below which a range is effectively a constant. */
const NARROW_RELATIVE_WIDTH = 1e-3;

export function checkSemantics(root: MapNode, context: SemanticContext): Finding[] {
  const findings: Finding[] = [];
  const taskNode = valueOf(root, 'task');
  const task = taskNode?.kind === 'scalar' && isTaskName(taskNode.value) ? TASKS[taskNode.value] : undefined;

  const randomization = mapAt(root, 'randomization');
  if (randomization) checkRandomization(randomization, task, context, findings, calibrationIn(root));
  checkPolicy(root, randomization, context, findings);
  checkStages(root, findings);
  checkRobot(root, context, findings);
  checkRobotDescription(root, context.readRobot, findings);
  if (task) {
    checkCalibration(root, task, findings);
    findings.push(...checkCoverage(root, task, context.measurement));
  }
  return findings;
}

/** Calibrated parameters and targets the task has (the schema checked names, types and bounds). */
function checkCalibration(root: MapNode, task: TaskInfo, findings: Finding[]): void {
  const calibration = mapAt(root, 'calibration');
  const parameters = calibration ? mapAt(calibration, 'parameters') : undefined;
  if (!parameters) return;
  for (const pair of parameters.pairs) {
    const info = parameterInfo(String(pair.key.value));
    if (!info) continue;
    if (!appliesToTask(info, task)) {
      findings.push(errorAt('parameter-not-in-task', `Task '${task.name}' has nothing '${info.name}' applies to; its calibrated value would never be used.`, pair.key));
      continue;
    }
    const allowed = targetsFor(info, task);
    if (pair.value?.kind !== 'map') continue;
    for (const targetPair of pair.value.pairs) {
      const name = String(targetPair.key.value);
      if (allowed?.includes(name)) continue;
      findings.push(errorAt('unknown-target', `Task '${task.name}' has no ${info.targetKind === 'joints' ? 'joint' : info.targetKind === 'links' ? 'link' : 'target'} '${name}' for '${info.name}'.${allowed ? ` It has: ${allowed.join(', ')}.` : ''}`, targetPair.key));
    }
  }
}

function checkRandomization(randomization: MapNode, task: TaskInfo | undefined, context: SemanticContext, findings: Finding[], calibration: Calibration | undefined): void {
  for (const group of PARAMETER_GROUPS) {
    const groupMap = mapAt(randomization, group);
    if (!groupMap) continue;
    for (const pair of groupMap.pairs) {
      const info = parameterInfo(String(pair.key.value));
      if (!info || info.group !== group || pair.value?.kind !== 'map') continue; // the schema check reports these
      checkParameter(info, pair, pair.value, task, context, findings, calibration);
    }
  }
  const dynamics = mapAt(randomization, 'dynamics');
  if (!dynamics || !pairOf(dynamics, 'action_delay')) {
    const at = pairOf(randomization, 'dynamics')?.key ?? keyOf(randomization) ?? randomization;
    findings.push(
      warningAt(
        'no-action-delay',
        'No action-delay randomization: real robots deliver commands a few control steps late, and a policy that never saw latency tends to oscillate on hardware. Add dynamics.action_delay (e.g. randint 0-3 steps).',
        at,
      ),
    );
  }
}

function checkParameter(info: ParameterInfo, pair: PairNode, entry: MapNode, task: TaskInfo | undefined, context: SemanticContext, findings: Finding[], calibration?: Calibration): void {
  if (booleanOf(valueOf(entry, 'enabled')) === false) return;
  if (task && !appliesToTask(info, task)) {
    findings.push(errorAt('parameter-not-in-task', `Task '${task.name}' has nothing '${info.name}' applies to (it randomizes ${info.targetKind === 'objects' ? 'free objects' : 'contact surfaces'}, and '${task.name}' has none).`, pair.key));
    return;
  }
  const distributionNode = valueOf(entry, 'distribution');
  const distribution = distributionNode?.kind === 'scalar' ? distributionNode.value : undefined;
  const operationNode = valueOf(entry, 'operation');
  const operation = operationNode?.kind === 'scalar' && typeof operationNode.value === 'string' ? operationNode.value : info.defaultOperation;
  const rangeNode = valueOf(entry, 'range');
  const range = numericPair(rangeNode);

  const needs: Record<string, string[]> = { uniform: ['range'], log_uniform: ['range'], randint: ['range'], gaussian: ['mean', 'std'], choice: ['values'] };
  const uses: Record<string, string[]> = { uniform: ['range'], log_uniform: ['range'], randint: ['range'], gaussian: ['mean', 'std', 'clip'], choice: ['values'] };
  if (typeof distribution === 'string' && needs[distribution]) {
    for (const field of needs[distribution]!) {
      if (valueOf(entry, field) !== undefined) continue;
      const code: FindingCode = distribution === 'gaussian' && field === 'std' ? 'gaussian-missing-std' : 'distribution-field';
      findings.push(errorAt(code, `A ${distribution} distribution needs '${field}'${field === 'std' ? ' (its standard deviation)' : field === 'range' ? ' ([low, high])' : ''}.`, distributionNode ?? pair.key));
    }
    for (const field of ['range', 'mean', 'std', 'clip', 'values']) {
      const fieldPair = pairOf(entry, field);
      if (fieldPair && !uses[distribution]!.includes(field)) {
        findings.push(warningAt('distribution-field', `'${field}' is not used by a ${distribution} distribution and will be ignored.`, fieldPair.key));
      }
    }
  }

  if (info.categorical && distribution !== undefined && distribution !== 'choice') {
    findings.push(errorAt('distribution-field', `'${info.name}' is categorical (${info.categorical.join(', ')}): use distribution: choice with 'values'.`, distributionNode ?? pair.key));
  }

  if (range && rangeNode?.kind === 'seq') {
    const [low, high] = range;
    const lowNode = rangeNode.items[0]!;
    const highNode = rangeNode.items[1]!;
    if (low > high) {
      // keep the user's own spelling of the numbers (0.50 stays 0.50)
      const source = (node: Span): string => context.lines.text.slice(node.start, node.end);
      const swapped = rangeNode.flow ? `[${source(highNode)}, ${source(lowNode)}]` : undefined;
      findings.push({
        severity: 'error',
        code: 'range-reversed',
        message: `The lower bound ${fmt(low)} is above the upper bound ${fmt(high)} of '${info.name}'.`,
        start: rangeNode.start,
        end: rangeNode.end,
        fix: swapped ? { kind: 'replace', title: `Swap to ${swapped}`, start: rangeNode.start, end: rangeNode.end, newText: swapped } : undefined,
      });
    } else {
      const width = high - low;
      const magnitude = Math.max(Math.abs(low), Math.abs(high));
      if (distribution === 'randint' ? width === 0 : width <= NARROW_RELATIVE_WIDTH * Math.max(magnitude, 1e-12)) {
        findings.push(warningAt('narrow-range', `The range [${fmt(low)}, ${fmt(high)}] of '${info.name}' is so narrow it is effectively a constant; widen it or set the nominal value instead.`, rangeNode));
      }
    }
    if (operation === 'scale' && low < 0) {
      findings.push(errorAt('scale-negative-lower', `A scale operation multiplies the nominal ${info.name}; the lower bound ${fmt(low)} would make it negative. Use a lower bound of 0 or more.`, lowNode));
    }
    if (distribution === 'log_uniform' && low <= 0) {
      findings.push(errorAt('log-uniform-nonpositive', `A log-uniform range must be positive; ${fmt(low)} is not.`, lowNode));
    }
    if (info.integer || distribution === 'randint') {
      for (const [value, node] of [[low, lowNode], [high, highNode]] as const) {
        if (!Number.isInteger(value) || value < 0) {
          const code: FindingCode = info.integer ? 'delay-not-integer' : 'invalid-value';
          findings.push(errorAt(code, `${info.integer ? `'${info.name}' is a whole number of ${info.unit}` : 'randint draws whole numbers'}; ${fmt(value)} is ${value < 0 ? 'negative' : 'not whole'}.`, node!));
        }
      }
    } else if (low <= high) {
      checkPhysicalRange(info, operation, low, high, rangeNode, findings, nominalsOf(info, entry, task, calibration));
    }
  }
  if (info.integer && (distribution === 'uniform' || distribution === 'log_uniform' || distribution === 'gaussian')) {
    findings.push(errorAt('delay-not-integer', `'${info.name}' counts whole ${info.unit}; a ${distribution} distribution draws fractions. Use distribution: randint.`, distributionNode ?? pair.key));
  }
  if (distribution === 'gaussian') {
    const stdNode = valueOf(entry, 'std');
    if (stdNode?.kind === 'scalar' && stdNode.value === 0) findings.push(warningAt('narrow-range', `A gaussian with std 0 is a constant.`, stdNode));
  }

  const sizeNode = valueOf(entry, 'size');
  if (sizeNode?.kind === 'scalar' && typeof sizeNode.value === 'number') {
    const expected = info.size ?? 1;
    if (sizeNode.value !== expected) {
      findings.push(errorAt('size-mismatch', `'${info.name}' is ${expected === 1 ? 'a scalar' : `a vector of ${expected}`}; size ${sizeNode.value} does not fit.`, sizeNode));
    }
  }

  const valuesNode = valueOf(entry, 'values');
  if (info.categorical && valuesNode?.kind === 'seq') {
    for (const item of valuesNode.items) {
      if (item?.kind !== 'scalar' || info.categorical.includes(String(item.value))) continue;
      const suggestion = closestName(String(item.value), info.categorical);
      findings.push({
        severity: 'error',
        code: 'invalid-value',
        message: `Unknown ${info.name} family '${String(item.value)}'${suggestion ? `: did you mean '${suggestion}'?` : '.'} Known: ${info.categorical.join(', ')}.`,
        start: item.start,
        end: item.end,
        fix: suggestion ? { kind: 'replace', title: `Change to '${suggestion}'`, start: item.start, end: item.end, newText: suggestion } : undefined,
      });
    }
    const usesImages = valuesNode.items.some((item) => item?.kind === 'scalar' && item.value === 'image');
    if (usesImages && !pairOf(entry, 'folder')) findings.push(errorAt('missing-key', `The 'image' texture family needs 'folder': a folder of texture images.`, pair.key));
  }
  checkFile(entry, 'folder', context, findings, 'Texture folder');

  const resampleNode = valueOf(entry, 'resample');
  if (resampleNode?.kind === 'scalar' && resampleNode.value === 'interval' && !pairOf(entry, 'interval_steps')) {
    findings.push(errorAt('missing-key', `resample: interval needs 'interval_steps' (control steps between draws).`, resampleNode));
  }

  const targetsNode = valueOf(entry, 'targets');
  if (task && targetsNode?.kind === 'seq') checkTargets(info, task, targetsNode, findings);
}

/** The nominal values a range applies to: calibrated per target where the experiment has them. */
function nominalsOf(info: ParameterInfo, entry: MapNode, task: TaskInfo | undefined, calibration: Calibration | undefined): number[] {
  if (typeof info.nominal !== 'number') return [];
  const builtIn = info.nominal;
  const listed = valueOf(entry, 'targets');
  const available = task ? targetsFor(info, task) : undefined;
  const targets: (string | undefined)[] =
    listed?.kind === 'seq' ? listed.items.flatMap((i) => (i?.kind === 'scalar' ? [String(i.value)] : [])) : available ? [...available] : [undefined];
  return targets.map((target) => calibratedValue(calibration, info.name, target) ?? builtIn);
}

function checkPhysicalRange(info: ParameterInfo, operation: string, low: number, high: number, at: Span, findings: Finding[], nominals: readonly number[]): void {
  if (nominals.length === 0 || (info.min === undefined && info.max === undefined)) return;
  const apply = (v: number, nominal: number): number => (operation === 'scale' ? nominal * v : operation === 'add' ? nominal + v : v);
  const lowest = Math.min(...nominals.map((n) => Math.min(apply(low, n), apply(high, n))));
  const highest = Math.max(...nominals.map((n) => Math.max(apply(low, n), apply(high, n))));
  if (info.min !== undefined && lowest < info.min) {
    if (operation === 'scale' && low < 0) return; // reported as scale-negative-lower
    findings.push(errorAt('out-of-physical-range', `'${info.name}' would reach ${fmt(lowest)} ${info.unit}; it cannot go below ${info.min}.`, at));
  } else if (info.max !== undefined && highest > info.max) {
    findings.push(errorAt('out-of-physical-range', `'${info.name}' would reach ${fmt(highest)} ${info.unit}; it cannot exceed ${info.max}.`, at));
  }
}

function checkTargets(info: ParameterInfo, task: TaskInfo, targets: SeqNode, findings: Finding[]): void {
  const allowed = targetsFor(info, task);
  for (const item of targets.items) {
    if (item?.kind !== 'scalar') continue;
    const name = String(item.value);
    if (!allowed) {
      findings.push(warningAt('unknown-target', `'${info.name}' applies to the whole scene; 'targets' is ignored.`, item));
      continue;
    }
    if (allowed.includes(name)) continue;
    const suggestion = closestName(name, allowed);
    findings.push({
      severity: 'error',
      code: 'unknown-target',
      message: `Task '${task.name}' has no ${info.targetKind === 'joints' ? 'joint' : info.targetKind === 'links' ? 'link' : 'body'} '${name}' for '${info.name}'${suggestion ? `: did you mean '${suggestion}'?` : '.'} It has: ${allowed.join(', ')}.`,
      start: item.start,
      end: item.end,
      fix: suggestion ? { kind: 'replace', title: `Change to '${suggestion}'`, start: item.start, end: item.end, newText: suggestion } : undefined,
    });
  }
}

function checkPolicy(root: MapNode, randomization: MapNode | undefined, context: SemanticContext, findings: Finding[]): void {
  const policy = mapAt(root, 'policy');
  if (!policy) return;
  checkFile(policy, 'file', context, findings, 'Policy file');
  const observation = valueOf(policy, 'observation');
  if (observation?.kind === 'scalar' && observation.value === 'image') {
    const visuals = randomization ? mapAt(randomization, 'visuals') : undefined;
    if (!visuals || visuals.pairs.length === 0) {
      findings.push(
        warningAt('no-visual-randomization', 'An image-based policy without visual randomization learns the sim\'s exact colours and lighting and fails on real images (Tobin et al. 2017). Randomize lighting, colours and textures under randomization.visuals.', observation),
      );
    }
  }
}

function checkRobot(root: MapNode, context: SemanticContext, findings: Finding[]): void {
  const robotPair = pairOf(root, 'robot');
  const robot = robotPair?.value?.kind === 'map' ? robotPair.value : undefined;
  if (!robotPair || !robot) return;
  checkFile(robot, 'profile', context, findings, 'Reality profile');
  const safety = pairOf(robot, 'safety');
  const addressPair = pairOf(robot, 'address');
  if (addressPair && !safety) {
    findings.push({
      severity: 'error',
      code: 'robot-without-safety',
      message: 'A robot address without a safety block: every command must pass position, velocity, effort and rate limits before it reaches hardware. Add robot.safety.',
      start: addressPair.key.start,
      end: addressPair.key.end,
      fix: robot.flow ? undefined : safetyBlockFix(robot, context.lines),
    });
  }
}

/** Insert a default safety block after the robot mapping's last line, at its indentation. */
function safetyBlockFix(robot: MapNode, lines: LineIndex): Finding['fix'] {
  const firstKey = robot.pairs[0]?.key;
  if (!firstKey) return undefined;
  const indent = ' '.repeat(lines.positionAt(firstKey.start).character);
  const lastLine = lines.positionAt(Math.max(robot.start, robot.end - 1)).line;
  const offset = lines.lineStart(lastLine) + lines.lineText(lastLine).length;
  const body = [
    'safety:',
    '  speed_scale: 0.5',
    '  limited_episodes: 3',
    '  joint_position_limits: [[-2.6, 2.6], [-2.6, 2.6], [-2.6, 2.6]]',
    '  max_joint_velocity: 2.0',
    '  max_effort: 8',
    '  max_command_delta: 0.25',
    '  clip_actions: true',
  ];
  return { kind: 'insert', title: 'Add a safety block', offset, newText: body.map((line) => `\n${indent}${line}`).join('') };
}

function checkFile(map: MapNode, key: string, context: SemanticContext, findings: Finding[], what: string): void {
  const node = valueOf(map, key);
  if (!context.fileExists || node?.kind !== 'scalar' || typeof node.value !== 'string' || node.value === '') return;
  if (!context.fileExists(node.value)) findings.push(errorAt('missing-file', `${what} '${node.value}' does not exist (paths are relative to the experiment file).`, node));
}

function keyOf(map: MapNode): ScalarNode | undefined {
  return map.pairs[0]?.key;
}

function fmt(value: number): string {
  return String(value);
}

