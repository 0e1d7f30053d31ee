/**
 * A URDF tree as the simulator needs it: rigid bodies (a moving link plus every link hanging off it
 * by fixed joints, merged) joined by the movable joints, ordered from the base outwards. The root
 * body is the robot's base. Every link keeps its frame within its body, so named frames (the end
 * effector, a camera mount) can be found after merging.
 */
import { combineInertials, type MassProperties } from './inertia';
import type { JointLimit, JointType, Shape, UrdfProblem, UrdfRobot } from './model';
import { compose, IDENTITY, type Transform, type Vec3 } from './transform';

export interface RobotBody {
  /** The moving link that heads the body (or the root link). */
  readonly name: string;
  readonly links: readonly string[];
  /** Undefined when no merged link has an inertial (allowed only for the fixed base). */
  readonly mass?: MassProperties;
  /** Shapes placed in the body frame. */
  readonly collisions: readonly { link: string; shape: Shape; inBody: Transform }[];
  readonly visuals: readonly { link: string; shape: Shape; inBody: Transform }[];
}

export interface MovingJoint {
  readonly name: string;
  readonly line: number;
  readonly type: Exclude<JointType, 'fixed'>;
  readonly parentBody: number;
  readonly childBody: number;
  /** The child body's frame in the parent body's frame, at joint position 0. */
  readonly origin: Transform;
  readonly axis: Vec3;
  readonly limit: JointLimit;
  readonly damping: number;
  readonly friction: number;
}

export interface KinematicTree {
  readonly robot: UrdfRobot;
  /** bodies[0] is the base; a body's parent always comes before it. */
  readonly bodies: readonly RobotBody[];
  /** In the bodies' order: joints[i] moves bodies[i + 1]. */
  readonly joints: readonly MovingJoint[];
  /** Every link's body and its frame within that body. */
  readonly frames: ReadonlyMap<string, { readonly body: number; readonly inBody: Transform }>;
}

export function buildKinematicTree(robot: UrdfRobot): { tree?: KinematicTree; problems: UrdfProblem[] } {
  const problems: UrdfProblem[] = [];
  const childJoints = new Map<string, string[]>();
  for (const joint of robot.joints.values()) {
    const list = childJoints.get(joint.parent) ?? [];
    list.push(joint.name);
    childJoints.set(joint.parent, list);
  }
  const bodies: { name: string; links: string[]; placed: { link: string; inBody: Transform }[] }[] = [];
  const joints: MovingJoint[] = [];
  const frames = new Map<string, { body: number; inBody: Transform }>();
  // Depth-first in file order, so the default controlled joints run from the base outwards.
  const visit = (link: string, body: number, inBody: Transform): void => {
    frames.set(link, { body, inBody });
    bodies[body]!.links.push(link);
    bodies[body]!.placed.push({ link, inBody });
    for (const name of childJoints.get(link) ?? []) {
      const joint = robot.joints.get(name)!;
      if (joint.type === 'fixed') {
        visit(joint.child, body, compose(inBody, joint.origin));
        continue;
      }
      const child = bodies.length;
      bodies.push({ name: joint.child, links: [], placed: [] });
      joints.push({
        name: joint.name,
        line: joint.line,
        type: joint.type,
        parentBody: body,
        childBody: child,
        origin: compose(inBody, joint.origin),
        axis: joint.axis,
        limit: joint.limit,
        damping: joint.damping,
        friction: joint.friction,
      });
      visit(joint.child, child, IDENTITY);
    }
  };
  bodies.push({ name: robot.root, links: [], placed: [] });
  visit(robot.root, 0, IDENTITY);

  const built: RobotBody[] = bodies.map((b, index) => {
    const parts = b.placed.flatMap(({ link, inBody }) => {
      const inertial = robot.links.get(link)!.inertial;
      return inertial ? [{ inertial, linkInBody: inBody }] : [];
    });
    const mass = combineInertials(parts);
    if (!mass && index > 0) {
      const joint = joints[index - 1]!;
      problems.push({
        file: robot.file,
        line: robot.links.get(b.name)!.line,
        severity: 'error',
        message: `link '${b.name}' moves (joint '${joint.name}') but neither it nor any link fixed to it has an <inertial> with a mass; a moving body needs one`,
      });
    }
    const place = (kind: 'collisions' | 'visuals') =>
      b.placed.flatMap(({ link, inBody }) => robot.links.get(link)![kind].map((shape) => ({ link, shape, inBody: compose(inBody, shape.origin) })));
    return { name: b.name, links: b.links, ...(mass ? { mass } : {}), collisions: place('collisions'), visuals: place('visuals') };
  });
  if (problems.length > 0) return { problems };
  return { tree: { robot, bodies: built, joints, frames }, problems };
}
