/**
 * Where a link's frame is for given joint positions, from the tree alone (no simulator): for
 * drawing targets the arm can reach, and for checking the simulator against.
 */
import type { KinematicTree } from './kinematicTree';
import { compose, quatFromAxisAngle, type Transform } from './transform';

/** World pose of every tree body for joint positions q (in tree order), with the base at `base`. */
export function bodyPoses(tree: KinematicTree, q: ArrayLike<number>, base: Transform): Transform[] {
  const poses: Transform[] = [base];
  tree.joints.forEach((joint, i) => {
    const parent = poses[joint.parentBody]!;
    const atOrigin = compose(parent, joint.origin);
    const value = q[i] ?? 0;
    const motion: Transform =
      joint.type === 'prismatic'
        ? { p: [joint.axis[0] * value, joint.axis[1] * value, joint.axis[2] * value], q: [0, 0, 0, 1] }
        : { p: [0, 0, 0], q: quatFromAxisAngle(joint.axis, value) };
    poses[joint.childBody] = compose(atOrigin, motion);
  });
  return poses;
}

/** World pose of a link's frame for joint positions q. */
export function linkPose(tree: KinematicTree, q: ArrayLike<number>, base: Transform, link: string): Transform {
  const frame = tree.frames.get(link);
  if (!frame) throw new Error(`no link '${link}' in ${tree.robot.name}`);
  return compose(bodyPoses(tree, q, base)[frame.body]!, frame.inBody);
}
