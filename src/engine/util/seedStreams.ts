/**
 * Every random stream in the engine, in one place. A stream is `deriveSeed(parent, stream, index)`
 * (util/rng.ts); two uses of one parent seed must not share a stream number, or they would draw the
 * same numbers. The values are part of every result: changing one changes every trained policy,
 * every evaluation and every emulator run, so add new streams, never renumber.
 */
export const SEED_STREAMS = {
  /**
   * From the experiment's seed with iteration -1, which no training iteration uses:
   * `deriveSeed(seed, -1, stream)`.
   */
  run: {
    /** ARS exploration directions (learn/ars.ts), continued by the real fine-tuning stage. */
    explorationNoise: 0,
    /** Evaluation episodes (evaluate/runEpisodes.ts): the same for training's final check and `sim2real eval`. */
    evaluation: 1,
    /** The trainer's periodic evaluations while it learns. */
    periodicEvaluation: 2,
    /** The policy's initial weights. */
    policyInit: 3,
    /** Fresh episodes that confirm a periodic evaluation at the target before training stops. */
    confirmationEvaluation: 4,
  },
  /** From the experiment's seed: `deriveSeed(seed, stream, index)`. */
  experiment: {
    /** Randomization drawn once per run (`sample: startup`). */
    startupRandomization: 1,
    /** `sim2real render`'s scenes, one per image. */
    render: 7,
    /** The perception model's training and test images (index: which set, or 10 + epoch). */
    perceptionImages: 71,
    perceptionInit: 72,
    perceptionTraining: 73,
    /** Domain-adversarial adaptation's sim images and its training. */
    adaptationImages: 74,
    adaptationTraining: 75,
  },
  /** From one episode's seed: `deriveSeed(episodeSeed, stream, 0)`. */
  episode: {
    /** Randomization drawn per episode (`sample: episode`). */
    parameters: 2,
    /** The task's start (goal, puck): the simulator and the robot's episodes draw it alike. */
    start: 3,
    observationNoise: 4,
    /** Randomization redrawn every few steps (`sample: interval`). */
    interval: 5,
    /** The robot's sensors (sim/sensing.ts). */
    sensing: 6,
    /** `sim2real render`'s look of one scene. */
    renderLook: 7,
    /** The look of the real camera images overlaid in perception-aware training. */
    realImageLook: 91,
  },
  /** From an emulator profile's seed: the reality the emulator plays. */
  emulator: {
    plant: 1,
    latency: 2,
    cameraLook: 3,
    cameraNoise: 4,
  },
  /** From the seed of a recorded system-identification log (sysid/logs/record.ts). */
  recordedLog: {
    excitation: 11,
    plant: 12,
    latency: 13,
  },
} as const;
