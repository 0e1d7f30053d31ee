/**
 * The emulated robot's controller, independent of the transport: its state (armed, running, halted
 * and why), the watchdog, the command latency queue, and the real-time physics loop of the plant.
 * The emulator server feeds it commands, heartbeats and service calls, and publishes what it reads.
 *
 * Safety semantics, as on hardware:
 * - a stop empties the latency queue (queued commands are discarded, never applied late), holds
 *   position, and every later command is refused until `arm`;
 * - the watchdog halts when a running robot hears no command or heartbeat for `watchdogMs`;
 * - the commanding client disconnecting halts at once (`link_lost`): the watchdog is the guarantee
 *   for links that go silent without closing.
 */
import { Rng, deriveSeed } from '../util/rng';
import { monotonicMs } from '../util/clock';
import { LatencyQueue } from './effects/latencyQueue';
import type { EventSink } from '../rosbridge/eventLog';
import type { HaltReason, RobotState, RobotStatus } from '../rosbridge/messages';
import type { RealityProfile } from './realityProfileLoader';
import { RealityPlant } from './realityPlant';
import { valueOf } from '../sim/randomizer';
import { Watchdog } from './watchdog';
import { preferPredictableWasm } from './predictableWasm';
import { LoopProbe } from '../util/loopProbe';
import { SEED_STREAMS } from '../util/seedStreams';

/** Physics steps run in one catch-up at most: after a stall the robot does not fast-forward for long. */
const MAX_CATCH_UP_STEPS = 20;
/**
 * Physics steps in one go before the event loop reads the sockets again. A catch-up after a stall
 * (the emulator's process got no CPU for a while) runs in slices of this many steps with the I/O
 * phase in between, so a stop that arrived meanwhile is handled after at most this many steps, not
 * after the whole backlog (up to MAX_CATCH_UP_STEPS, several ms, and preemptible midway).
 */
const STEPS_PER_SLICE = 2;

const WARM_UP_STEPS = 50;

export class EmulatedRobot {
  readonly plant: RealityPlant;
  private stateValue: RobotState = 'halted';
  private reason: HaltReason | undefined = 'not_armed';
  private detail = 'waiting for arm';
  private episode = 0;
  private commandSeq = 0;
  private readonly latency: LatencyQueue;
  private readonly watchdog: Watchdog;
  private latencyTimer: NodeJS.Timeout | undefined;
  private physicsTimer: NodeJS.Timeout | undefined;
  /** The next slice of a catch-up, when one is underway. */
  private physicsSlice: NodeJS.Immediate | undefined;
  private physicsOriginMs = 0;
  private physicsSteps = 0;
  /** The client whose commands drive the robot; its disconnection halts. */
  private commander: string | undefined;
  /** Robot controller cycle from the profile's action_timestep, ms; 0 = commands apply when they arrive. */
  private readonly controllerCycleMs: number;
  private pendingCycleTargets: Float64Array | undefined;
  /** The latest effort command waiting for the controller cycle (applied after a pending position command). */
  private pendingCycleEffort: { joints: readonly number[]; torquesNm: Float64Array } | undefined;
  private readonly statusListeners = new Set<(s: RobotStatus) => void>();
  /** After dispose the plant's world is freed: late socket events must not touch it. */
  private disposed = false;
  private readonly probe = LoopProbe.get('emulator');

  static async create(profile: RealityProfile, log: EventSink): Promise<EmulatedRobot> {
    preferPredictableWasm();
    const plant = await RealityPlant.create(profile, new Rng(deriveSeed(profile.seed, SEED_STREAMS.emulator.plant, 0)));
    // JIT warm-up of the step path before anyone connects; with tier-up off (predictableWasm.ts)
    // the wasm code is final from the start, so a few dozen steps are enough
    for (let k = 0; k < WARM_UP_STEPS; k++) plant.step();
    return new EmulatedRobot(profile, plant, log);
  }

  private constructor(
    readonly profile: RealityProfile,
    plant: RealityPlant,
    private readonly log: EventSink,
  ) {
    this.plant = plant;
    // action_delay (control steps) is latency too: convert at the task's nominal control period
    const delaySteps = valueOf(plant.sample, 'action_delay');
    const extraMs = delaySteps * plant.task.controlPeriodS * 1000;
    this.latency = new LatencyQueue(profile.effects.latencyMs + extraMs, profile.effects.latencyJitterMs, new Rng(deriveSeed(profile.seed, SEED_STREAMS.emulator.latency, 0)));
    this.controllerCycleMs = 'action_timestep' in profile.parameters ? valueOf(plant.sample, 'action_timestep') * 1000 : 0;
    this.watchdog = new Watchdog({ timeoutMs: profile.watchdogMs }, (silentMs) => this.onWatchdog(silentMs));
    plant.resetEpisode();
  }

  get status(): RobotStatus {
    // the bundled emulator says what it is: with adapter: emulator it may run unattended
    return { state: this.stateValue, ...(this.reason ? { reason: this.reason } : {}), ...(this.detail ? { detail: this.detail } : {}), episode: this.episode, emulator: true };
  }

  onStatus(listener: (s: RobotStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Monotonic ms of the physics state the plant holds now (when its last step was due): the stamp of a reading. */
  get stateTimeMs(): number {
    return this.physicsOriginMs + this.physicsSteps * this.plant.dtS * 1000;
  }

  /** Start the real-time physics loop. */
  start(): void {
    if (this.physicsTimer) return;
    this.physicsOriginMs = monotonicMs();
    this.physicsSteps = 0;
    const periodMs = this.plant.dtS * 1000;
    // physics runs after the I/O phase of the loop turn its timer woke (setImmediate): a frame that
    // came in meanwhile (a stop) is read first
    this.physicsTimer = setInterval(() => this.schedulePhysics(), Math.max(1, periodMs / 2));
  }

  private schedulePhysics(): void {
    // one stepper at a time: a catch-up underway goes on in its own slices
    if (this.physicsSlice || this.disposed) return;
    this.physicsSlice = setImmediate(() => {
      this.physicsSlice = undefined;
      this.runPhysics();
    });
  }

  private runPhysics(): void {
    if (this.disposed) return;
    const t0 = this.probe ? performance.now() : 0;
    const due = Math.floor((monotonicMs() - this.physicsOriginMs) / (this.plant.dtS * 1000));
    let steps = due - this.physicsSteps;
    if (steps > MAX_CATCH_UP_STEPS) {
      // a stall (GC, a saturated core): drop the backlog instead of fast-forwarding the robot
      this.physicsSteps = due - MAX_CATCH_UP_STEPS;
      steps = MAX_CATCH_UP_STEPS;
    }
    const now = Math.min(steps, STEPS_PER_SLICE);
    for (let k = 0; k < now; k++) {
      this.applyControllerCycle();
      this.plant.step();
      this.physicsSteps++;
    }
    // the rest after the next I/O phase: sockets first (a stop), then the next slice
    if (steps > now) this.schedulePhysics();
    if (this.probe) {
      this.probe.count('physicsTicks');
      this.probe.count('physicsSteps', now);
      this.probe.section(`physicsTick${steps > 1 ? 'CatchUp' : ''}`, performance.now() - t0);
    }
  }

  // ---- inputs ----

  /** A joint command (reported frame, rad) from `client`. Returns why it was refused, if it was. */
  command(targetsRad: readonly number[], client: string): string | undefined {
    return this.accept(targetsRad, client, undefined);
  }

  /**
   * An effort command: torques (N·m) for the joints at `joints` (indices), through the same latency
   * queue, watchdog and halt rules as position commands. Returns why it was refused, if it was.
   */
  commandEffort(joints: readonly number[], torquesNm: readonly number[], client: string): string | undefined {
    return this.accept(torquesNm, client, joints);
  }

  private accept(data: readonly number[], client: string, effortJoints: readonly number[] | undefined): string | undefined {
    if (this.disposed) return 'emulator shutting down';
    const seq = ++this.commandSeq;
    const mode = effortJoints ? { mode: 'effort', joints: effortJoints.map((i) => this.plant.jointNames[i]) } : {};
    if (this.stateValue === 'halted') {
      const why = `robot halted (${this.reason})`;
      this.log.record('command_rejected', { seq, client, reason: why, data, ...mode });
      return why;
    }
    const now = monotonicMs();
    const queued = this.latency.push(seq, Float64Array.from(data), now, effortJoints);
    this.log.record('command', { seq, client, data, ...mode, dueInMs: round3(queued.dueMs - now) });
    this.commander = client;
    if (this.stateValue === 'armed') this.setState('running', undefined, `commanded by ${client}`);
    this.watchdog.feed();
    this.scheduleLatency();
    return undefined;
  }

  heartbeat(client: string): void {
    this.watchdog.feed();
    this.log.record('heartbeat', { client });
  }

  /** Protective stop: hold position, discard queued commands, refuse commands until armed. */
  stop(client: string, reason: HaltReason = 'stop', detail = `stop requested by ${client}`): void {
    if (this.disposed) return;
    const discarded = this.latency.clear();
    this.log.record('stop', { client, reason, discarded: discarded.length, state: this.stateValue });
    for (const c of discarded) this.log.record('command_discarded', { seq: c.seq, reason });
    this.halt(reason, detail);
  }

  arm(client: string): { success: boolean; message: string } {
    if (this.disposed) return { success: false, message: 'emulator shutting down' };
    this.log.record('arm', { client, from: this.stateValue, reason: this.reason });
    if (this.stateValue !== 'halted') return { success: true, message: `already ${this.stateValue}` };
    this.plant.holdPosition();
    this.setState('armed', undefined, `armed by ${client}`);
    return { success: true, message: 'armed' };
  }

  /** New episode: the scene as built, arm at its start pose, puck placed. Keeps a halt. */
  reset(client: string): { success: boolean; message: string } {
    if (this.disposed) return { success: false, message: 'emulator shutting down' };
    const dropped = this.latency.clear();
    for (const c of dropped) this.log.record('command_discarded', { seq: c.seq, reason: 'reset' });
    this.pendingCycleTargets = undefined;
    this.pendingCycleEffort = undefined;
    this.plant.resetEpisode();
    this.episode++;
    this.log.record('reset', { client, episode: this.episode });
    if (this.stateValue === 'running') this.setState('armed', undefined, 'episode reset');
    else this.emitStatus();
    return { success: true, message: `episode ${this.episode}` };
  }

  /** A client went away. If it was driving the robot, halt now rather than wait for the watchdog. */
  clientGone(client: string): void {
    if (this.disposed) return;
    if (client === this.commander && this.stateValue === 'running') this.stop(client, 'link_lost', `${client} disconnected mid-motion`);
    if (client === this.commander) this.commander = undefined;
  }

  // ---- internals ----

  private onWatchdog(silentMs: number): void {
    if (this.stateValue !== 'running') return;
    const discarded = this.latency.clear();
    this.log.record('watchdog_halt', { silentMs: round3(silentMs), timeoutMs: this.profile.watchdogMs, discarded: discarded.length, client: this.commander });
    this.halt('watchdog', `no command or heartbeat for ${Math.round(silentMs)} ms (timeout ${this.profile.watchdogMs} ms)`);
  }

  private halt(reason: HaltReason, detail: string): void {
    if (this.latencyTimer) clearTimeout(this.latencyTimer);
    this.latencyTimer = undefined;
    this.pendingCycleTargets = undefined;
    this.pendingCycleEffort = undefined;
    this.watchdog.stop();
    this.plant.holdPosition();
    this.setState('halted', reason, detail);
  }

  private setState(state: RobotState, reason: HaltReason | undefined, detail: string): void {
    const changed = state !== this.stateValue || reason !== this.reason;
    this.stateValue = state;
    this.reason = reason;
    this.detail = detail;
    if (state === 'running') this.watchdog.start();
    else this.watchdog.stop();
    if (changed) this.log.record('state', { state, reason, detail });
    this.emitStatus();
  }

  private emitStatus(): void {
    const status = this.status;
    for (const listener of this.statusListeners) listener(status);
  }

  private scheduleLatency(): void {
    if (this.latencyTimer) return;
    const due = this.latency.nextDueMs();
    if (due === undefined) return;
    const wait = due - monotonicMs();
    if (wait <= 0) {
      this.applyDue();
      return;
    }
    this.latencyTimer = setTimeout(() => {
      this.latencyTimer = undefined;
      this.applyDue();
    }, wait);
  }

  private applyDue(): void {
    if (this.stateValue === 'halted') return;
    const now = monotonicMs();
    for (const c of this.latency.popDue(now)) {
      this.log.record('command_applied', { seq: c.seq, latencyMs: round3(now - c.receivedMs), plannedMs: round3(c.dueMs - c.receivedMs) });
      if (c.effortJoints) {
        if (this.controllerCycleMs > 0) this.pendingCycleEffort = { joints: c.effortJoints, torquesNm: c.targetsRad };
        else this.plant.commandEffort(c.effortJoints, c.targetsRad);
      } else if (this.controllerCycleMs > 0) {
        this.pendingCycleTargets = c.targetsRad;
        // a position command puts every joint back in position mode: an older effort command is void
        this.pendingCycleEffort = undefined;
      } else this.plant.command(c.targetsRad);
    }
    this.scheduleLatency();
  }

  /** With an explicit action_timestep, the robot's controller samples the latest command once per cycle. */
  private applyControllerCycle(): void {
    if (!this.pendingCycleTargets && !this.pendingCycleEffort) return;
    const stepMs = this.plant.dtS * 1000;
    const stepsPerCycle = Math.max(1, Math.round(this.controllerCycleMs / stepMs));
    if (this.physicsSteps % stepsPerCycle !== 0) return;
    if (this.pendingCycleTargets) this.plant.command(this.pendingCycleTargets);
    if (this.pendingCycleEffort) this.plant.commandEffort(this.pendingCycleEffort.joints, this.pendingCycleEffort.torquesNm);
    this.pendingCycleTargets = undefined;
    this.pendingCycleEffort = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.statusListeners.clear();
    if (this.physicsTimer) clearInterval(this.physicsTimer);
    if (this.physicsSlice) clearImmediate(this.physicsSlice);
    if (this.latencyTimer) clearTimeout(this.latencyTimer);
    this.physicsTimer = undefined;
    this.physicsSlice = undefined;
    this.watchdog.stop();
    this.plant.dispose();
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
