/** Read a robot description (URDF and its meshes): what it holds, or every problem at its file and line. */
import * as t from '../../common/schema';
import { loadUrdf } from '../urdf/loadUrdf';
import { summarizeRobot, type RobotSummary } from '../urdf/robotSummary';
import type { Job } from './job';

export const describeRobotParams = t.object({ file: t.string(), packagePath: t.optional(t.array(t.string())) });
export type DescribeRobotParams = t.Infer<typeof describeRobotParams>;

export const describeRobot: Job<DescribeRobotParams, RobotSummary> = async ({ file, packagePath }) => {
  const loaded = loadUrdf(file, { packagePath: packagePath ?? [] });
  return summarizeRobot(file, loaded.tree, loaded.problems);
};
