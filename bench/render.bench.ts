/**
 * Camera frame time: the analytic renderer (src/engine/vision) against Rapier's own ray casts of the
 * same scene (castRayAndGetNormal per pixel, Lambert shading from the returned normal), both
 * measured in this run on one thread, at 64x64 and 128x128. Prints median and p99 wall time per
 * frame, the CPU time per frame (the machine is shared: CPU time is what the frame costs this
 * process), and the Rapier / renderer ratio. Then the emulator's side: event-loop delay of a
 * running reality emulator with nobody on the camera topic and with a subscriber at 30 Hz, so the
 * cost of publishing images next to the real-time physics loop is a measured figure.
 * Run: npx tsx bench/render.bench.ts  (or npm run bench -- render; SIM2REAL_BENCH_SMOKE=1: the same
 * frames and emulator, 1% of the frames, half-second samples)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RobotAddressPolicy } from '../src/engine/rosbridge/addressPolicy';
import { RosbridgeClient } from '../src/engine/rosbridge/client';
import { RealityEmulator } from '../src/engine/emulator/emulatorServer';
import { EventLog } from '../src/engine/rosbridge/eventLog';
import { parseRealityProfile } from '../src/engine/emulator/realityProfileLoader';
import { initRapier, rapier } from '../src/engine/sim/rapier';
import { placeArm } from '../src/engine/sim/tasks/arm';
import { TableScene } from '../src/engine/sim/tasks/tableScene';
import { Rng } from '../src/engine/util/rng';
import { cameraBasis, nominalAppearance, nominalCamera, renderCamera, sceneViewOf, type Appearance, type Camera, type RgbImage } from '../src/engine/vision';
import { announceSmoke, smoke } from './smoke';

/** Share of the full frame counts to render (smoke mode: a few frames per row). */
const FRAME_SHARE = smoke(1, 0.01);
/** Seconds of each emulator event-loop sample (warm-up, without and with the camera). */
const WARMUP_S = smoke(1, 0.2);
const SAMPLE_S = smoke(4, 0.5);
/** A frame count scaled for the mode: unchanged in full mode, at least 1 in smoke mode. */
const scaled = (n: number): number => (FRAME_SHARE === 1 ? n : Math.max(1, Math.round(n * FRAME_SHARE)));

interface Figures {
  minMs: number;
  medianMs: number;
  p99Ms: number;
  cpuMs: number;
}

function measure(frames: number, warmup: number, frame: () => void): Figures {
  for (let i = 0; i < warmup; i++) frame();
  const times = new Float64Array(frames);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < frames; i++) {
    const t0 = process.hrtime.bigint();
    frame();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort();
  return {
    minMs: times[0]!,
    medianMs: times[Math.floor(frames / 2)]!,
    p99Ms: times[Math.min(frames - 1, Math.floor(0.99 * frames))]!,
    cpuMs: (cpu.user + cpu.system) / 1000 / frames,
  };
}

/** The same image through Rapier's scene queries: one castRayAndGetNormal per pixel. */
function rapierFrame(scene: TableScene, camera: Camera, appearance: Appearance, out: RgbImage): void {
  const R = rapier();
  const frame = cameraBasis(camera);
  const { widthPx: width, heightPx: height } = camera.intrinsics;
  const ray = new R.Ray({ x: frame.origin[0], y: frame.origin[1], z: frame.origin[2] }, { x: 0, y: 0, z: -1 });
  const light = appearance.lightPosition;
  const [cr, cg, cb] = appearance.surfaces.table.color;
  let k = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const pu = i + 0.5 - frame.centerU;
      const pv = frame.centerV - (j + 0.5);
      const dx = frame.forward[0] * frame.focalLengthPx + frame.right[0] * pu + frame.up[0] * pv;
      const dy = frame.forward[1] * frame.focalLengthPx + frame.right[1] * pu + frame.up[1] * pv;
      const dz = frame.forward[2] * frame.focalLengthPx + frame.right[2] * pu + frame.up[2] * pv;
      const n = Math.hypot(dx, dy, dz);
      ray.dir.x = dx / n;
      ray.dir.y = dy / n;
      ray.dir.z = dz / n;
      const hit = scene.world.castRayAndGetNormal(ray, 20, true);
      let shade = 0;
      if (hit) {
        const t = hit.timeOfImpact;
        const lx = light[0] - (frame.origin[0] + ray.dir.x * t);
        const ly = light[1] - (frame.origin[1] + ray.dir.y * t);
        const lz = light[2] - (frame.origin[2] + ray.dir.z * t);
        const lambert = Math.max(0, (hit.normal.x * lx + hit.normal.y * ly + hit.normal.z * lz) / Math.hypot(lx, ly, lz));
        shade = appearance.ambient + (1 - appearance.ambient) * lambert;
      }
      out.data[k++] = Math.min(255, cr * shade * 255);
      out.data[k++] = Math.min(255, cg * shade * 255);
      out.data[k++] = Math.min(255, cb * shade * 255);
    }
  }
}

/** A randomized look: textures on every surface, noise; the renderer's most expensive path. */
function texturedAppearance(): Appearance {
  const a = nominalAppearance();
  const families = ['checker', 'noise', 'stripes', 'gradient', 'noise', 'checker'] as const;
  const names = ['table', 'link1', 'link2', 'link3', 'puck', 'marker'] as const;
  names.forEach((name, i) => {
    a.surfaces[name].texture = families[i];
    a.surfaces[name].color2 = [0.9, 0.8, 0.2];
    a.surfaces[name].periodM = 0.05;
  });
  a.noiseStd = 0.03;
  return a;
}

function row(label: string, f: Figures): string {
  return `  ${label.padEnd(44)} min ${f.minMs.toFixed(3).padStart(7)} ms   median ${f.medianMs.toFixed(3).padStart(7)} ms   p99 ${f.p99Ms.toFixed(3).padStart(7)} ms   cpu ${f.cpuMs.toFixed(3).padStart(7)} ms/frame`;
}

async function emulatorLoopDelay(): Promise<void> {
  const profile = parseRealityProfile('task: push\ncamera:\n  rateHz: 30\n');
  if (!profile.ok) throw new Error(JSON.stringify(profile.findings));
  const log = new EventLog();
  const emulator = await RealityEmulator.start(profile.profile, { host: '127.0.0.1', port: 0, log });
  const client = new RosbridgeClient(emulator.url, RobotAddressPolicy.fromConfigured([emulator.url]), { reconnect: { enabled: false } });
  await client.connect();
  const sample = async (seconds: number): Promise<{ p50: number; p99: number; max: number }> => {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    histogram.disable();
    return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
  };
  try {
    await sample(WARMUP_S); // warm-up
    const without = await sample(SAMPLE_S);
    const camera = client.camera(profile.profile.names.topics.camera);
    await camera.nextImage(5000);
    const before = camera.receivedFrames;
    const withCamera = await sample(SAMPLE_S);
    const frames = camera.receivedFrames - before;
    camera.close();
    const fmt = (d: { p50: number; p99: number; max: number }): string => `p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms`;
    console.log('reality emulator event-loop delay (physics loop at 100 Hz on the same thread):');
    console.log(`  no camera subscriber:            ${fmt(without)}`);
    console.log(`  camera subscribed, 64x64 @30 Hz: ${fmt(withCamera)} (${(frames / SAMPLE_S).toFixed(1)} frames/s received)`);
  } finally {
    await client.close();
    await emulator.close();
    log.close();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  announceSmoke(`${FRAME_SHARE * 100}% of the frames, ${SAMPLE_S} s event-loop samples`);
  await initRapier();
  const scene = new TableScene({ withPuck: true });
  placeArm(scene.arm, [0.4, -0.7, -0.5]);
  scene.placePuck(0.45, 0.08);
  scene.step(); // scene queries see poses as of the last step
  const view = sceneViewOf(scene);
  const nominal = nominalAppearance();
  const textured = texturedAppearance();
  const rng = new Rng(1);
  for (const size of [64, 128]) {
    const base = nominalCamera();
    const camera: Camera = { intrinsics: { widthPx: size, heightPx: size, focalLengthPx: size }, pose: base.pose };
    const out: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3) };
    const scale = (64 / size) ** 2;
    // Warm every path first, so background JIT compilation is not billed to the first measurement.
    for (let i = 0; i < scaled(1000 * scale); i++) {
      renderCamera(view, nominal, camera, { out });
      renderCamera(view, textured, camera, { out, noiseRng: rng });
      if (i % 4 === 0) renderCamera(view, nominal, camera, { out, samplesPerAxis: 2 });
    }
    const rendered = measure(scaled(Math.round(3000 * scale)), scaled(Math.round(500 * scale)), () => renderCamera(view, nominal, camera, { out }));
    const plain = measure(scaled(Math.round(3000 * scale)), scaled(Math.round(500 * scale)), () => renderCamera(view, nominal, camera, { out, objectSamplesPerAxis: 1 }));
    const texturedFigures = measure(scaled(Math.round(3000 * scale)), scaled(Math.round(500 * scale)), () => renderCamera(view, textured, camera, { out, noiseRng: rng }));
    const antialiased = measure(scaled(Math.round(600 * scale)), scaled(Math.round(100 * scale)), () => renderCamera(view, nominal, camera, { out, samplesPerAxis: 2 }));
    const baseline = measure(scaled(Math.round(300 * scale)), scaled(Math.round(50 * scale)), () => rapierFrame(scene, camera, nominal, out));
    console.log(`${size}x${size} frame (table, 3 links, finger, puck; one thread):`);
    console.log(row('renderer, nominal look (3x3 at puck, finger)', rendered));
    console.log(row('renderer, one ray per pixel everywhere', plain));
    console.log(row('renderer, textures on every surface + noise', texturedFigures));
    console.log(row('renderer, 2x2 samples per pixel', antialiased));
    console.log(row('Rapier castRayAndGetNormal per pixel', baseline));
    console.log(`  ratio Rapier / renderer (nominal): median ${(baseline.medianMs / rendered.medianMs).toFixed(1)}x, p99 ${(baseline.p99Ms / rendered.p99Ms).toFixed(1)}x, cpu ${(baseline.cpuMs / rendered.cpuMs).toFixed(1)}x`);
  }
  scene.dispose();
  await emulatorLoopDelay();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
