/**
 * The record of one forward pass: each op that touches a tensor needing gradients pushes a closure
 * that moves its output's gradient to its inputs. `backward` replays them newest first. A forward
 * pass without a tape (inference) records nothing and keeps no intermediate buffers alive.
 */
import type { Tensor } from './tensor';

export class Tape {
  private readonly steps: (() => void)[] = [];

  record(step: () => void): void {
    this.steps.push(step);
  }

  /** Seeds d(loss)/d(loss) = 1 for a scalar loss and propagates to every recorded input. */
  backward(loss: Tensor): void {
    if (loss.size !== 1) throw new Error(`backward needs a scalar loss, got shape [${loss.shape.join(', ')}]`);
    loss.gradBuffer()[0] = 1;
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    this.steps.length = 0;
  }
}

/** Whether an op's output must be recorded: a tape is given and some input needs a gradient. */
export function tracks(tape: Tape | undefined, ...inputs: Tensor[]): tape is Tape {
  return tape !== undefined && inputs.some((t) => t.requiresGrad);
}
