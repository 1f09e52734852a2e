// What a run leaves besides its checkpoint, for people and for programs:
//   metrics.jsonl   one JSON line per logged iteration ({iter, loss, lr, ms, tok_s, mfu}) and per
//                   eval ({iter, train_loss, val_loss}), appended as the run goes
//   loss.svg        train and val loss (log scale) and the learning rate, redrawn at every eval
// A resumed run keeps the lines from before the iteration it resumes at, so the curve goes on.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lossChart } from './plot.ts';

export interface StepMetrics {
  iter: number;
  loss: number;
  lr: number;
  ms: number;
  tok_s: number;
  mfu: number;
}

export interface EvalMetrics {
  iter: number;
  train_loss: number;
  val_loss: number;
}

type Line = StepMetrics | EvalMetrics;

export class RunMetrics {
  readonly jsonlPath: string;
  readonly svgPath: string;
  private readonly lines: Line[] = [];

  /** resumeAt: the iteration a resumed run starts at (earlier lines are kept), or null for a new run. */
  constructor(outDir: string, private readonly title: string, resumeAt: number | null) {
    this.jsonlPath = join(outDir, 'metrics.jsonl');
    this.svgPath = join(outDir, 'loss.svg');
    if (resumeAt !== null && existsSync(this.jsonlPath)) {
      for (const text of readFileSync(this.jsonlPath, 'utf8').split('\n')) {
        if (text.trim() === '') continue;
        try {
          const line = JSON.parse(text) as Line;
          if (line.iter < resumeAt) this.lines.push(line); // the resumed run evaluates at resumeAt again
        } catch {
          break; // a line cut short by a kill: what follows it is gone too
        }
      }
    }
    writeFileSync(this.jsonlPath, this.lines.map((l) => JSON.stringify(l) + '\n').join(''));
  }

  step(m: StepMetrics): void {
    this.add(m);
  }

  /** An eval point; the picture is redrawn with it. */
  evaluated(m: EvalMetrics): void {
    this.add(m);
    writeFileSync(this.svgPath, this.chart());
  }

  private add(line: Line): void {
    this.lines.push(line);
    appendFileSync(this.jsonlPath, JSON.stringify(line) + '\n');
  }

  chart(): string {
    const steps = this.lines.filter((l): l is StepMetrics => 'loss' in l);
    const evals = this.lines.filter((l): l is EvalMetrics => 'val_loss' in l);
    return lossChart(this.title, [
      { label: 'train loss (iteration)', color: '#1f77b4', points: steps.map((l) => [l.iter, l.loss]) },
      { label: 'train loss (eval)', color: '#2ca02c', points: evals.map((l) => [l.iter, l.train_loss]), dots: true },
      { label: 'val loss (eval)', color: '#d62728', points: evals.map((l) => [l.iter, l.val_loss]), dots: true },
    ], [{ label: 'learning rate', color: '#888888', points: steps.map((l) => [l.iter, l.lr]), dashed: true }]);
  }
}
