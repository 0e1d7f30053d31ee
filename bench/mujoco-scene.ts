/**
 * The push scene for MuJoCo (official WASM build, npm `mujoco-js`), matching the Rapier scene of
 * src/engine/sim/tasks: same sizes, masses, friction, time step, position servos (kp 40 N·m/rad,
 * kv 6 N·m·s/rad, ±8 N·m) and contact filtering (only the finger touches the puck; the links
 * touch nothing). Differences that remain: MuJoCo has no per-body linear damping (a free-joint
 * damping of 0.1 N·s/m stands in for Rapier's 0.5 1/s on a 0.2 kg puck) and the puck may tip.
 * Used by bench/sim.bench.ts only.
 */

/** The MJCF text; `timestepS` is MuJoCo's physics step. */
export const mujocoPushMjcf = (timestepS: number): string => `
<mujoco model="push">
  <option timestep="${timestepS}" gravity="0 0 -9.81" integrator="implicitfast">
    <!-- cylinder-box contacts need several contact points to rest flat -->
    <flag multiccd="enable"/>
  </option>
  <default>
    <geom friction="0.6 0.005 0.0001" contype="0" conaffinity="0"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="5 5 0.1" contype="4" conaffinity="4"/>
    <geom name="table" type="box" pos="0.35 0 0.73" size="0.55 0.6 0.02" contype="4" conaffinity="4"/>
    <body name="link1" pos="0 0 0.86">
      <joint name="shoulder" type="hinge" axis="0 0 1" damping="0.05"/>
      <geom type="box" pos="0.15 0 0" size="0.15 0.02 0.015" mass="0.5"/>
      <body name="link2" pos="0.3 0 0">
        <joint name="elbow" type="hinge" axis="0 0 1" damping="0.05"/>
        <geom type="box" pos="0.125 0 0" size="0.125 0.02 0.015" mass="0.5"/>
        <body name="link3" pos="0.25 0 0">
          <joint name="wrist" type="hinge" axis="0 0 1" damping="0.05"/>
          <geom type="box" pos="0.075 0 0" size="0.075 0.02 0.015" mass="0.5"/>
          <geom name="finger" type="cylinder" pos="0.15 0 -0.0525" size="0.015 0.0525" mass="0.001" contype="2" conaffinity="2" friction="0.3 0.005 0.0001"/>
        </body>
      </body>
    </body>
    <body name="puck" pos="0.4 0 0.775">
      <joint type="free" damping="0.1"/>
      <geom name="puck" type="cylinder" size="0.04 0.025" mass="0.2" contype="6" conaffinity="6"/>
    </body>
  </worldbody>
  <actuator>
    <position joint="shoulder" kp="40" kv="6" forcerange="-8 8" forcelimited="true"/>
    <position joint="elbow" kp="40" kv="6" forcerange="-8 8" forcelimited="true"/>
    <position joint="wrist" kp="40" kv="6" forcerange="-8 8" forcelimited="true"/>
  </actuator>
</mujoco>
`;

/** A loaded model + data with a step function; `dispose()` frees the WASM objects. */
export interface MujocoPushScene {
  /** Set the three joint position targets, rad. */
  setTargets(q1: number, q2: number, q3: number): void;
  step(): void;
  /** Puck centre, m (to check the scene behaves). */
  puckPosition(): [number, number, number];
  reset(): void;
  dispose(): void;
}

let module: Promise<any> | undefined;
let loaded = 0;

export async function loadMujocoPushScene(timestepS: number): Promise<MujocoPushScene> {
  // mujoco-js is an ES module: load it with a dynamic import from this CommonJS build.
  module ??= import('mujoco-js').then((m) => (m.default as unknown as () => Promise<any>)());
  const mujoco = await module;
  const path = `/push-${loaded++}.xml`;
  mujoco.FS.writeFile(path, mujocoPushMjcf(timestepS));
  const model = mujoco.MjModel.loadFromXML(path);
  const data = new mujoco.MjData(model);
  const ctrl = data.ctrl as Float64Array;
  const qpos = data.qpos as Float64Array;
  return {
    setTargets(q1, q2, q3) {
      ctrl[0] = q1;
      ctrl[1] = q2;
      ctrl[2] = q3;
    },
    step() {
      mujoco.mj_step(model, data);
    },
    puckPosition() {
      return [qpos[3], qpos[4], qpos[5]];
    },
    reset() {
      mujoco.mj_resetData(model, data);
    },
    dispose() {
      data.delete();
      model.delete();
    },
  };
}
