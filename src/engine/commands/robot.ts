/**
 * `sim2real robot FILE.urdf [--json] [--package-path DIR,...]`: read a robot description as the
 * simulator will, and print its bodies and joints, or every problem as FILE:LINE: severity: message.
 * package:// URIs are searched in --package-path, then ROS_PACKAGE_PATH, then the folders above the URDF.
 */
import { delimiter } from 'node:path';
import { formatProblem } from '../urdf/model';
import type { RobotSummary } from '../urdf/robotSummary';
import { describeRobot } from '../jobs/describeRobot';
import { parseArgs } from './args';
import { runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

export const robotCommand: CliCommand = {
  name: 'robot',
  usage: 'robot FILE.urdf [--json] [--package-path DIR,...]',
  summary: 'Read a URDF robot as the simulator will: its bodies, joints and limits, or its problems at file:line; exit 1 on an error.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { json: 'boolean', 'package-path': 'string[]' });
    if (positional.length !== 1) {
      process.stderr.write(`sim2real robot: name one URDF file.\nusage: sim2real ${robotCommand.usage}\n`);
      return 2;
    }
    const packagePath = [...((flags['package-path'] as string[] | undefined) ?? []), ...(process.env.ROS_PACKAGE_PATH ?? '').split(delimiter).filter((p) => p.length > 0)];
    const questions = new TerminalQuestions();
    try {
      const outcome = await runCliJob(describeRobot, { file: positional[0]!, packagePath }, { command: 'robot', usage: robotCommand.usage, questions });
      if ('code' in outcome) return outcome.code;
      const summary = outcome.result;
      if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(describe(summary));
      return summary.problems.some((p) => p.severity === 'error') ? 1 : 0;
    } finally {
      questions.close();
    }
  },
};

function describe(summary: RobotSummary): string {
  const lines = summary.problems.map(formatProblem);
  if (summary.joints && summary.bodies) {
    const range = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? 'unlimited' : `[${lo}, ${hi}]`);
    lines.push(`robot '${summary.name}': ${summary.bodies.length} bodies, ${summary.joints.length} movable joints, ${summary.massKg!.toFixed(3)} kg, root '${summary.root}'`);
    for (const b of summary.bodies) lines.push(`  body ${b.name}${b.links.length > 1 ? ` (+ ${b.links.slice(1).join(', ')})` : ''}: ${b.massKg.toFixed(3)} kg`);
    for (const j of summary.joints) {
      lines.push(`  joint ${j.name} (${j.type}) ${j.parent} -> ${j.child}, axis ${j.axis.map((v) => +v.toFixed(4)).join(' ')}, range ${range(j.lower, j.upper)}, effort ${j.effort ?? 'unlimited'}, velocity ${j.velocity ?? 'unlimited'}`);
    }
    lines.push(`  leaf links (end-effector candidates): ${summary.leafLinks!.join(', ')}`);
    for (const m of summary.meshes ?? []) lines.push(`  mesh ${m.path}: ${m.triangles} triangles, ${m.vertices} distinct vertices`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
