/**
 * Why the log fit replays through the arm model (src/engine/sysid/armModel.ts) and not through
 * Rapier: one replay of a 12 s, 100 Hz emulator log through each, measured in the same run,
 * interleaved, plus how many replays one fit makes. The Rapier replay is the emulator's own
 * effort-mode arm (TableScene without the puck, motors as Coulomb friction, torques as impulses,
 * the arm re-placed at every 0.3 s segment as the multiple-shooting replay does).
 * Run: npm run bench -- sysid-replay  (SIM2REAL_BENCH_SMOKE=1: a shorter log, one repeat, the same fit)
 */
import { loadExperiment } from '../src/engine/config/load';
import { loadRealityProfileFile } from '../src/engine/emulator/realityProfileLoader';
import { initRapier } from '../src/engine/sim/rapier';
import { placeArm } from '../src/engine/sim/tasks/arm';
import { JOINT_NAMES, TableScene } from '../src/engine/sim/tasks/tableScene';
import { recordExcitationLog } from '../src/engine/sysid/logs/record';
import { identifyFromTrajectory } from '../src/engine/sysid/offline/identifyFromLog';
import { Replay } from '../src/engine/sysid/offline/replay';
import { join } from 'node:path';
import { announceSmoke, smoke } from './smoke';

const REPEATS = smoke(9, 1);
const WARMUP = smoke(2, 1);
/** The emulator log's length; the fit needs at least MIN_LOG_S (4 s) of it. */
const LOG_S = smoke(12, 6);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  announceSmoke(`a ${LOG_S} s log, ${WARMUP} warm-up and ${REPEATS} timed replay(s) each`);
  await initRapier();
  const root = join(__dirname, '..');
  const profile = loadRealityProfileFile(join(root, 'examples', 'reality', 'moderate.yaml'));
  const log = await recordExcitationLog(profile, { durationS: LOG_S });
  const replay = new Replay(log);
  const out = new Float64Array(replay.residualCount);
  const parameters = { viscousNmsPerRad: [0.1, 0.1, 0.1], coulombNm: [0.1, 0.1, 0.05], linkMassKg: [0.6, 0.55, 0.45] };

  const scene = new TableScene({ withPuck: false, timestepS: 0.01 });
  JOINT_NAMES.forEach((joint, i) => {
    scene.setJointStiffness(joint, 0);
    scene.setJointDamping(joint, 1000);
    scene.setMotorStrength(joint, parameters.coulombNm[i]!);
  });
  const n = log.timeS.length;
  const perSegment = 30;
  const impulse = { x: 0, y: 0, z: 0 };
  const q = [0, 0, 0];
  const rapierReplay = () => {
    for (let k = 0; k < n - 1; k++) {
      if (k % perSegment === 0) {
        for (let j = 0; j < 3; j++) q[j] = log.positionRad[j]![k]!;
        placeArm(scene.arm, q);
      }
      for (let j = 0; j < 3; j++) {
        impulse.z = log.effortNm![j]![k + 1]! * 0.01;
        scene.arm.links[j]!.applyTorqueImpulse(impulse, true);
        if (j > 0) {
          impulse.z = -impulse.z;
          scene.arm.links[j - 1]!.applyTorqueImpulse(impulse, true);
        }
      }
      scene.step();
    }
  };
  const modelReplay = () => replay.simulate(parameters, 0, out);

  for (let w = 0; w < WARMUP; w++) {
    rapierReplay();
    modelReplay();
  }
  const rapierMs: number[] = [];
  const modelMs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    rapierReplay();
    rapierMs.push(performance.now() - t);
    t = performance.now();
    modelReplay();
    modelMs.push(performance.now() - t);
  }

  // replays per fit: count the model's simulate calls during one identification
  let calls = 0;
  const original = Replay.prototype.simulate;
  Replay.prototype.simulate = function (this: Replay, ...args: Parameters<Replay['simulate']>) {
    calls++;
    return original.apply(this, args);
  };
  const experiment = loadExperiment(join(root, 'examples', 'push.s2r.yaml')).experiment!;
  const t = performance.now();
  await identifyFromTrajectory(experiment, 'push.s2r.yaml', log, { file: 'bench.csv', format: 'csv' }, 200);
  const fitMs = performance.now() - t;
  Replay.prototype.simulate = original;

  const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} ms (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
  console.log(`log: ${(n - 1) / 100} s, ${n - 1} physics periods; ${REPEATS} interleaved repeats`);
  console.log(`Rapier replay:    ${fmt(rapierMs)}`);
  console.log(`arm-model replay: ${fmt(modelMs)}`);
  console.log(`ratio Rapier / model: ${(median(rapierMs) / median(modelMs)).toFixed(1)}x`);
  console.log(`one fit: ${calls} replays, ${(fitMs / 1000).toFixed(2)} s with the model; through Rapier the replays alone would take ~${((calls * median(rapierMs)) / 1000).toFixed(0)} s`);
  scene.dispose();
}

void main();
