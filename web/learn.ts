// "Watch it learn": runs the walkthrough in a Web Worker (web/learn_worker.ts) and draws what it
// reports: each stage's summary, the masking of one example, the loss curve (train/plot.ts, the
// same SVG as out/*/loss.svg), tokens/s and MFU, and the samples table. The trained model then
// answers in "Ask the car".
import { lossChart } from '../train/plot.ts';
import type { Series } from '../train/plot.ts';
import { pageFinetune, pagePretrain } from './walkthrough.ts';
import type { FromWorker, Stage, ToWorker } from './learn_messages.ts';

export interface LearnResult {
  mode: string;
  losses: Record<'pretrain' | 'finetune', number[]>;
  files: { checkpoint: string; model: Uint8Array; tokenizer: string };
  seconds: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const el = (id: string) => document.getElementById(id)!;

export class LearnView {
  private worker: Worker | null = null;
  private series = { pretrain: [] as Array<[number, number]>, finetune: [] as Array<[number, number]>, val: [] as Array<[number, number]>, lr: [] as Array<[number, number]> };
  private drawPending = false;
  private offset = 0; // fine-tuning's steps are drawn after pretraining's

  constructor(private readonly onTrained: (r: LearnResult) => void) {
    (el('learn-pre') as HTMLInputElement).value = String(pagePretrain.max_iters);
    (el('learn-ft') as HTMLInputElement).value = String(pageFinetune.max_iters);
    el('learn-go').addEventListener('click', () => {
      if (this.worker !== null) this.stop();
      else {
        const backend = (el('learn-backend') as HTMLSelectElement).value as 'cpu' | 'gpu';
        const steps = (id: string) => Math.max(1, Math.round(Number((el(id) as HTMLInputElement).value) || 1));
        this.start(backend, steps('learn-pre'), steps('learn-ft')).then(this.onTrained, () => {});
      }
    });
  }

  stop(): void {
    this.worker?.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  /** Run the walkthrough; resolves when the model is trained (or rejects with the worker's error). */
  start(backend: 'cpu' | 'gpu', pretrainSteps: number, finetuneSteps: number): Promise<LearnResult> {
    const t0 = performance.now();
    this.series = { pretrain: [], finetune: [], val: [], lr: [] };
    this.offset = 0;
    el('learn-stages').innerHTML = '';
    el('samples').textContent = 'after fine-tuning: validation commands, what was expected, what the model wrote';
    el('learn-go').textContent = 'Stop';
    // beside index.html (this code may sit in a shared chunk of the bundle, elsewhere)
    const worker = new Worker(new URL('learn_worker.js', document.baseURI), { type: 'module' });
    this.worker = worker;
    const losses = { pretrain: [] as number[], finetune: [] as number[] };
    let mode = '';
    this.stage('data', 'running', 'generating examples and training the tokenizer…');
    return new Promise<LearnResult>((resolve, reject) => {
      const finish = () => {
        worker.terminate();
        this.worker = null;
        el('learn-go').textContent = 'Start';
      };
      worker.onerror = (e) => {
        finish();
        this.stage('error', 'error', `the worker failed: ${e.message}`);
        reject(new Error(`worker: ${e.message}`));
      };
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === 'backend') {
          mode = m.mode;
          el('backend').textContent = `training on ${m.mode}`;
        } else if (m.type === 'stage') {
          if (m.losses !== undefined) losses[m.stage as 'pretrain' | 'finetune'] = m.losses;
          const examples = m.examples === undefined ? '' : `<table>${m.examples.map((x) => `<tr><td>${esc(x.user)}</td><td><code>${esc(x.assistant)}</code></td></tr>`).join('')}</table>`;
          this.stage(m.stage, 'done', m.text, examples);
          if (m.stage === 'data') this.stage('pretrain', 'running', `pretraining: every next token of ${pagePretrain.block_size}-token windows of the examples' text`);
          if (m.stage === 'pretrain') {
            this.offset = m.losses?.length ?? 0;
            this.stage('finetune', 'running', 'fine-tuning: the loss counts the answers only');
          }
        } else if (m.type === 'mask') {
          const chips = m.tokens.map((t, i) => `<span class="tok ${m.learn[i] ? 'answer' : 'masked'}">${esc(t.replace(/\n/g, '\\n'))}</span>`).join('');
          this.stage('mask', 'done', 'masking: the model is trained to write only the green tokens (the answer); the prompt, grey, is read but never learned', `<div class="tokens">${chips}</div>`);
        } else if (m.type === 'step') {
          const x = m.step.iter + (m.stage === 'finetune' ? this.offset : 0);
          this.series[m.stage === 'finetune' ? 'finetune' : 'pretrain'].push([x, m.step.loss]);
          this.series.lr.push([x, m.step.lr]);
          el('stat-tps').textContent = Math.round(m.step.tokensPerSecond).toLocaleString('en');
          el('stat-mfu').textContent = `${(100 * m.step.mfu).toFixed(2)}%`;
          el('stat-step').textContent = `${m.stage} ${m.step.iter + 1}`;
          el('stat-loss').textContent = m.step.loss.toFixed(3);
          this.draw();
        } else if (m.type === 'eval') {
          this.series.val.push([m.point.iter + (m.stage === 'finetune' ? this.offset : 0), m.point.val]);
          this.draw();
        } else if (m.type === 'samples') {
          el('samples').innerHTML = `<p>${m.exact} of ${m.n} exact (copy decoding, ${m.seconds.toFixed(1)} s). Tens of steps teach the format first, the values later: <code>npm run train</code> takes thousands.</p>` +
            `<table><tr><th>command</th><th>expected</th><th>the model wrote</th><th></th></tr>${m.rows.map((r) => `<tr><td>${esc(r.user)}</td><td><code>${esc(r.expected)}</code></td><td><code>${esc(r.predicted)}</code></td><td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? '✓' : '✗'}</td></tr>`).join('')}</table>`;
        } else if (m.type === 'done') {
          finish();
          this.stage('ask', 'done', 'the trained model now answers in "Ask the car"');
          resolve({ mode, losses, files: m.files, seconds: (performance.now() - t0) / 1000 });
        } else if (m.type === 'error') {
          finish();
          this.stage('error', 'error', m.message);
          reject(new Error(m.message));
        }
      };
      worker.postMessage({ type: 'start', backend, pretrainSteps, finetuneSteps } satisfies ToWorker);
    });
  }

  private stage(id: Stage | 'mask' | 'ask' | 'error', state: 'running' | 'done' | 'error', text: string, html = ''): void {
    let box = document.getElementById(`stage-${id}`);
    if (box === null) {
      box = document.createElement('div');
      box.id = `stage-${id}`;
      el('learn-stages').appendChild(box);
    }
    box.className = `card stage ${state}`;
    box.innerHTML = `<p class="${state === 'error' ? 'error' : ''}">${esc(text)}</p>${html}`;
  }

  /** Redraw the chart at most once a frame. */
  private draw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      const losses: Series[] = [
        { label: 'pretraining loss', color: '#8a94ad', points: this.series.pretrain },
        { label: 'fine-tuning loss', color: '#2f6fdf', points: this.series.finetune },
        { label: 'val loss', color: '#e07b00', points: this.series.val, dots: true },
      ].filter((s) => s.points.length > 0);
      const rates: Series[] = [{ label: 'learning rate', color: '#1f9d55', points: this.series.lr, dashed: true }];
      el('chart').innerHTML = lossChart('Watch it learn', losses, rates);
    });
  }
}
