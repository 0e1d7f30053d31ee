/**
 * What a robot description holds, as JSON for people and scripts: the bodies after fixed joints
 * merge, the movable joints from the base outwards with their limits and dynamics, the leaf frames
 * (end-effector candidates) and the meshes read.
 */
import type { KinematicTree } from './kinematicTree';
import type { UrdfProblem } from './model';

export interface RobotSummaryJoint {
  readonly name: string;
  readonly line: number;
  readonly type: string;
  readonly parent: string;
  readonly child: string;
  readonly axis: readonly number[];
  /** null where the file gives none (a continuous joint's position, a missing effort). */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly effort: number | null;
  readonly velocity: number | null;
  readonly damping: number;
  readonly friction: number;
}

export interface RobotSummary {
  readonly file: string;
  readonly name?: string;
  readonly root?: string;
  readonly massKg?: number;
  readonly bodies?: readonly { readonly name: string; readonly links: readonly string[]; readonly massKg: number }[];
  /** Movable joints, from the base outwards: the default controlled joints. */
  readonly joints?: readonly RobotSummaryJoint[];
  /** Links with no child: where an end effector usually is. */
  readonly leafLinks?: readonly string[];
  readonly meshes?: readonly { readonly path: string; readonly triangles: number; readonly vertices: number; readonly bytes: number }[];
  readonly problems: readonly UrdfProblem[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function summarizeRobot(file: string, tree: KinematicTree | undefined, problems: readonly UrdfProblem[]): RobotSummary {
  if (!tree) return { file, problems };
  const robot = tree.robot;
  const parents = new Set([...robot.joints.values()].map((j) => j.parent));
  const meshes = new Map<string, { path: string; triangles: number; vertices: number; bytes: number }>();
  for (const link of robot.links.values()) {
    for (const shape of [...link.visuals, ...link.collisions]) {
      const g = shape.geometry;
      if (g.kind === 'mesh' && g.mesh) meshes.set(g.mesh.path, { path: g.mesh.path, triangles: g.mesh.triangles, vertices: g.mesh.vertices.length / 3, bytes: g.mesh.bytes });
    }
  }
  return {
    file,
    name: robot.name,
    root: robot.root,
    massKg: tree.bodies.reduce((sum, b) => sum + (b.mass?.massKg ?? 0), 0),
    bodies: tree.bodies.map((b) => ({ name: b.name, links: b.links, massKg: b.mass?.massKg ?? 0 })),
    joints: tree.joints.map((j) => {
      const urdf = robot.joints.get(j.name)!;
      return {
        name: j.name,
        line: j.line,
        type: j.type,
        parent: urdf.parent,
        child: urdf.child,
        axis: j.axis,
        lower: finite(j.limit.lower),
        upper: finite(j.limit.upper),
        effort: finite(j.limit.effort),
        velocity: finite(j.limit.velocity),
        damping: j.damping,
        friction: j.friction,
      };
    }),
    leafLinks: [...robot.links.keys()].filter((name) => !parents.has(name)),
    meshes: [...meshes.values()],
    problems,
  };
}
