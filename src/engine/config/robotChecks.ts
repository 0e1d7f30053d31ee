/**
 * robot.description: the URDF loads, the names in robot.joints and robot.end_effector are its
 * own (with "did you mean"), and the experiment asks only what a URDF robot runs so far (`reach`
 * in sim, without randomization). The URDF's own problems show in the URDF file; here one finding
 * on the description says how many and where the first is.
 */
import type { LoadedRobot } from '../urdf/loadUrdf';
import { errorAt, type Finding } from './findings';
import { pickRobotParts } from './robotModel';
import { mapAt, pairOf, valueOf, type MapNode } from './yamlTree';

/** Loads a URDF named in the experiment (relative to its folder); undefined when it does not exist. */
export type RobotReader = (relativePath: string) => LoadedRobot | undefined;

export function checkRobotDescription(root: MapNode, readRobot: RobotReader | undefined, findings: Finding[]): void {
  const robot = mapAt(root, 'robot');
  const node = robot ? valueOf(robot, 'description') : undefined;
  if (!robot || node?.kind !== 'scalar' || typeof node.value !== 'string' || node.value === '') return;
  const taskNode = valueOf(root, 'task');
  if (taskNode?.kind === 'scalar' && taskNode.value !== 'reach') {
    findings.push(errorAt('parameter-not-in-task', `Task '${String(taskNode.value)}' does not run on a URDF robot yet; 'reach' does (docs/robots.md).`, taskNode));
  }
  const randomization = mapAt(root, 'randomization');
  for (const group of randomization?.pairs ?? []) {
    if (group.value?.kind !== 'map') continue;
    for (const entry of group.value.pairs) {
      findings.push(errorAt('parameter-not-in-task', `'${String(entry.key.value)}': randomization does not run on a URDF robot yet (its parameters will target the URDF's link and joint names); remove it to train on ${node.value}.`, entry.key));
    }
  }
  if (!readRobot) return;
  const loaded = readRobot(node.value);
  if (!loaded) {
    findings.push(errorAt('missing-file', `URDF '${node.value}' does not exist (paths are relative to the experiment file).`, node));
    return;
  }
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (!loaded.tree || errors.length > 0) {
    const first = errors[0];
    findings.push(errorAt('invalid-value', `The URDF has ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `; the first, at line ${first.line}: ${first.message}` : ''}.`, node));
    return;
  }
  const jointsNode = valueOf(robot, 'joints');
  const joints = jointsNode?.kind === 'seq' ? jointsNode.items.map((item) => (item?.kind === 'scalar' ? String(item.value) : '')) : undefined;
  const endNode = valueOf(robot, 'end_effector');
  const endEffector = endNode?.kind === 'scalar' ? String(endNode.value) : undefined;
  const parts = pickRobotParts(loaded.tree, { ...(joints ? { joints } : {}), ...(endEffector !== undefined ? { endEffector } : {}) });
  for (const problem of parts.problems) {
    const at = problem.key === 'joints' && jointsNode?.kind === 'seq' ? (jointsNode.items[problem.index ?? 0] ?? jointsNode) : problem.key === 'end_effector' ? endNode : pairOf(robot, problem.key)?.key;
    if (at) findings.push(errorAt('unknown-target', problem.message, at));
  }
}
