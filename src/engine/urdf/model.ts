/**
 * A robot description as the workbench uses it, read from URDF: links with their inertia and
 * shapes, joints with their frames, axes, limits and dynamics. Every element keeps its line so that
 * later checks (the experiment's names, the simulator) can point back into the file.
 */
import type { Transform, Vec3 } from './transform';

/** Symmetric inertia tensor about the centre of mass, in the inertial frame, kg·m². */
export interface InertiaTensor {
  readonly ixx: number;
  readonly ixy: number;
  readonly ixz: number;
  readonly iyy: number;
  readonly iyz: number;
  readonly izz: number;
}

export interface Inertial {
  readonly massKg: number;
  /** Centre of mass and the inertia's axes, in the link frame. */
  readonly origin: Transform;
  readonly inertia: InertiaTensor;
}

export type Geometry =
  | { readonly kind: 'box'; readonly size: Vec3 }
  | { readonly kind: 'cylinder'; readonly radius: number; readonly length: number }
  | { readonly kind: 'sphere'; readonly radius: number }
  | { readonly kind: 'mesh'; readonly filename: string; readonly scale: Vec3; readonly mesh?: MeshData };

/** Vertices of a mesh after scale, as xyz triples (duplicates removed), and its triangle count. */
export interface MeshData {
  readonly path: string;
  readonly vertices: Float32Array;
  /** Three vertex indices per triangle (for a convex decomposition). */
  readonly indices: Uint32Array;
  readonly triangles: number;
  readonly bytes: number;
}

export type Rgba = readonly [number, number, number, number];

export interface Shape {
  readonly origin: Transform;
  readonly geometry: Geometry;
  readonly line: number;
  /** Visuals only: the material's colour, when it has one. */
  readonly rgba?: Rgba;
}

export interface UrdfLink {
  readonly name: string;
  readonly line: number;
  readonly inertial?: Inertial;
  readonly visuals: readonly Shape[];
  readonly collisions: readonly Shape[];
}

export type JointType = 'revolute' | 'continuous' | 'prismatic' | 'fixed';

export interface JointLimit {
  /** rad or m; ±Infinity for a continuous joint. */
  readonly lower: number;
  readonly upper: number;
  /** N·m or N; Infinity when the file gives none. */
  readonly effort: number;
  /** rad/s or m/s; Infinity when the file gives none. */
  readonly velocity: number;
}

export interface UrdfJoint {
  readonly name: string;
  readonly line: number;
  readonly type: JointType;
  readonly parent: string;
  readonly child: string;
  /** Lines of the <parent> and <child> elements. */
  readonly parentLine: number;
  readonly childLine: number;
  /** The child link's frame in the parent link's frame, at joint position 0. */
  readonly origin: Transform;
  /** Unit axis in the joint (child) frame. */
  readonly axis: Vec3;
  readonly limit: JointLimit;
  /** Viscous damping (N·m·s/rad or N·s/m) and Coulomb friction (N·m or N). */
  readonly damping: number;
  readonly friction: number;
}

export interface UrdfRobot {
  readonly name: string;
  /** Absolute path of the file it was read from. */
  readonly file: string;
  readonly links: ReadonlyMap<string, UrdfLink>;
  readonly joints: ReadonlyMap<string, UrdfJoint>;
  /** The one link that is no joint's child. */
  readonly root: string;
}

/** A problem in a robot description, at its place in a file. */
export interface UrdfProblem {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export class UrdfError extends Error {
  constructor(readonly problems: readonly UrdfProblem[]) {
    super(problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n'));
  }
}

export function formatProblem(p: UrdfProblem): string {
  return `${p.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ''}: ${p.severity}: ${p.message}`;
}
