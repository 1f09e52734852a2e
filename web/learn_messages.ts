// What the page and the "Watch it learn" worker (web/learn_worker.ts) say to each other.
import type { EvalPoint } from '../train/trainer.ts';
import type { StepReport } from '../train/memory_trainer.ts';

export type Stage = 'data' | 'pretrain' | 'finetune';

export type ToWorker =
  | { type: 'start'; backend: 'cpu' | 'gpu'; pretrainSteps: number; finetuneSteps: number }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'backend'; mode: string }
  | { type: 'stage'; stage: Stage; text: string; examples?: Array<{ user: string; assistant: string }>; losses?: number[] }
  | { type: 'mask'; tokens: string[]; learn: number[] }
  | { type: 'step'; stage: Stage; step: StepReport }
  | { type: 'eval'; stage: Stage; point: EvalPoint }
  | { type: 'samples'; exact: number; n: number; seconds: number; rows: Array<{ user: string; expected: string; predicted: string; ok: boolean }> }
  | { type: 'done'; files: { checkpoint: string; model: Uint8Array; tokenizer: string } }
  | { type: 'error'; message: string; stack: string };
