/**
 * The transfer stages' plan, checked before anything runs: an order that moves towards the robot,
 * a trained policy before any robot stage, gates that can open, the seed's 0.95 sim-success gate
 * before the first robot stage, and a real-episode budget that covers the plan.
 */
import { errorAt, warningAt, type Finding } from './findings';
import { booleanOf, mapAt, pairOf, valueOf, type MapNode, type ScalarNode } from './yamlTree';

/** The seed's gate before any stage that touches the robot. */
const MIN_TRANSFER_GATE = 0.95;
const STAGE_RANK: Record<string, number> = { sim: 0, sim_real_textures: 1, sim_real_images: 2, mixed: 3, real_finetune: 4 };

export function checkStages(root: MapNode, findings: Finding[]): void {
  const stages = valueOf(root, 'stages');
  if (stages?.kind !== 'seq') return;
  const names = new Map<string, ScalarNode>();
  let highestRank = -1;
  let highestName = '';
  let reachedRobot = false;
  // the stage that runs before this one: a gate judges it
  let before: { name: string; kind: string } | undefined;
  let trainedInSim = false;
  let plannedReal = 0;
  const hasRobot = pairOf(root, 'robot')?.value?.kind === 'map';
  for (const stage of stages.items) {
    if (stage?.kind !== 'map') continue;
    if (booleanOf(valueOf(stage, 'skip')) === true) continue;
    const nameNode = valueOf(stage, 'name');
    const stageName = nameNode?.kind === 'scalar' ? String(nameNode.value) : undefined;
    if (nameNode?.kind === 'scalar' && stageName !== undefined) {
      if (names.has(stageName)) findings.push(errorAt('duplicate-stage', `Stage name '${stageName}' is used twice; each stage writes its own run, so names must be unique.`, nameNode));
      else names.set(stageName, nameNode);
    }
    const kindNode = valueOf(stage, 'kind');
    const kind = kindNode?.kind === 'scalar' ? String(kindNode.value) : undefined;
    const rank = kind !== undefined ? STAGE_RANK[kind] : undefined;
    if (rank === undefined || !kindNode) continue;
    const label = stageName ?? kind!;
    if (kind === 'mixed' && !pairOf(stage, 'sim_ratio')) {
      findings.push(errorAt('missing-key', `A mixed stage needs 'sim_ratio': the fraction of episodes run in sim (the seed uses 0.8).`, kindNode));
    }
    const ratio = pairOf(stage, 'sim_ratio');
    if (ratio && kind !== 'mixed') findings.push(warningAt('distribution-field', `'sim_ratio' only applies to mixed stages; it is ignored for '${kind}'.`, ratio.key));
    const ratioValue = ratio?.value?.kind === 'scalar' && typeof ratio.value.value === 'number' ? ratio.value.value : undefined;
    if (kind === 'mixed' && ratioValue === 1 && ratio?.value) {
      findings.push(warningAt('stage-order', `A mixed stage with sim_ratio 1 runs no episode on the robot; use kind 'sim' for a simulation stage.`, ratio.value));
    }
    if (rank < highestRank) {
      findings.push(warningAt('stage-order', `Stage '${kind}' comes after '${highestName}', moving away from the robot and back; the pipeline normally goes sim, real textures, real images, mixed, real fine-tuning.`, kindNode));
    } else {
      highestRank = rank;
      highestName = kind!;
    }
    const touchesRobot = kind === 'mixed' || kind === 'real_finetune';
    if (touchesRobot && !trainedInSim) {
      findings.push(errorAt('stage-order', `Stage '${label}' (${kind}) runs on the robot before any simulation stage: there is no trained policy to transfer yet. Put a 'sim' stage before it.`, kindNode));
    }
    if (touchesRobot && !hasRobot) {
      findings.push(errorAt('stage-needs-robot', `Stage '${label}' (${kind}) runs episodes on the robot, but the experiment has no robot block: add robot (adapter, address, safety) or skip the stage.`, kindNode));
    }
    const gatePair = pairOf(stage, 'gate');
    const gate = mapAt(stage, 'gate');
    if (gatePair && gate) {
      const threshold = pairOf(gate, 'min_sim_success') ?? pairOf(gate, 'min_real_success');
      if (!before) {
        // a gate of confirm only still makes sense first: it asks before anything starts
        if (threshold) findings.push(errorAt('gate-unreachable', `'${label}' is the first stage that runs, so its success gate has no earlier stage to judge and could never open: remove ${String(threshold.key.value)} or put the stage it should judge before it.`, threshold.key));
      } else {
        const minReal = pairOf(gate, 'min_real_success');
        if (minReal && before.kind !== 'mixed' && before.kind !== 'real_finetune') {
          findings.push(errorAt('gate-unreachable', `gate.min_real_success judges the real success of the stage before, '${before.name}' (${before.kind}), which never runs on the robot: the gate could never open. Use min_sim_success, or put a mixed stage before this one.`, minReal.key));
        }
      }
    }
    if (touchesRobot && !reachedRobot) {
      reachedRobot = true;
      const minSim = gate ? valueOf(gate, 'min_sim_success') : undefined;
      const value = minSim?.kind === 'scalar' && typeof minSim.value === 'number' ? minSim.value : undefined;
      if (value === undefined || value < MIN_TRANSFER_GATE) {
        findings.push(
          warningAt(
            'gate-missing',
            value === undefined
              ? `Stage '${kind}' is the first to run on the robot but has no sim-success gate: set gate.min_sim_success to at least ${MIN_TRANSFER_GATE} so an untrained policy never reaches hardware.`
              : `The gate ${value} before the first robot stage is below ${MIN_TRANSFER_GATE}: a policy that fails often in sim will fail more on hardware.`,
            minSim ?? kindNode,
          ),
        );
      }
    }
    const episodesNode = valueOf(stage, 'episodes');
    const episodes = episodesNode?.kind === 'scalar' && typeof episodesNode.value === 'number' ? episodesNode.value : STAGE_DEFAULT_EPISODES;
    if (kind === 'real_finetune') plannedReal += episodes;
    else if (kind === 'mixed' && ratioValue !== undefined) plannedReal += Math.round(episodes * (1 - ratioValue));
    if (kind === 'sim' || kind === 'sim_real_textures' || kind === 'sim_real_images') trainedInSim = true;
    before = { name: label, kind: kind! };
  }
  checkRealBudget(root, plannedReal, findings);
}

/** The seed's default stage budget (schema default of stages[].episodes). */
const STAGE_DEFAULT_EPISODES = 10000;

/** robot.max_real_episodes below what the stages and the final evaluation plan: the pipeline would stop early. */
function checkRealBudget(root: MapNode, plannedReal: number, findings: Finding[]): void {
  const robot = mapAt(root, 'robot');
  const budgetPair = robot ? pairOf(robot, 'max_real_episodes') : undefined;
  const budget = budgetPair?.value?.kind === 'scalar' && typeof budgetPair.value.value === 'number' ? budgetPair.value.value : undefined;
  if (!budgetPair?.value || budget === undefined) return;
  const evaluation = mapAt(root, 'evaluation');
  const realNode = evaluation ? valueOf(evaluation, 'real_episodes') : undefined;
  const evaluationReal = realNode?.kind === 'scalar' && typeof realNode.value === 'number' ? realNode.value : 50;
  if (budget < plannedReal + evaluationReal) {
    findings.push(
      warningAt(
        'stage-budget',
        `robot.max_real_episodes is ${budget}, but the stages plan ${plannedReal} real episodes and the final evaluation ${evaluationReal} (${plannedReal + evaluationReal} in all): the pipeline cuts the last robot stages short and stops when the budget is spent.`,
        budgetPair.value,
      ),
    );
  }
}
