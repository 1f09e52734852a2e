#!/usr/bin/python3
"""
Parity fixture, the way llm.c checks its C against PyTorch: build a tiny GPT in PyTorch
(nanoGPT's model.py, with GELU's tanh approximation as GPT-2 used it), run one batch, and write
what our TypeScript must reproduce:

  weights.safetensors   initial weights under our (GPT-2 / nanoGPT) names, Linear weights (out, in)
  expected.safetensors  logits, loss, every parameter's gradient ("grad.<name>") and every
                        parameter after one AdamW step ("adamw.<name>")
  batch.json            config, token ids, targets (some -1), AdamW hyperparameters

Run by hand (not in CI):  apt-get install python3-torch && /usr/bin/python3 model/parity/make_fixture.py
"""
import json, math, os, struct
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = dict(block_size=16, vocab_size=67, n_layer=2, n_head=4, n_embd=32, dropout=0.0, bias=True)
B, T = 2, 16
ADAMW = dict(lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)

torch.manual_seed(1337)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c['n_embd'], 3 * c['n_embd'], bias=c['bias'])
        self.c_proj = nn.Linear(c['n_embd'], c['n_embd'], bias=c['bias'])
        self.n_head = c['n_head']
        self.register_buffer('mask', torch.tril(torch.ones(c['block_size'], c['block_size'])).view(1, 1, c['block_size'], c['block_size']))

    def forward(self, x):
        Bx, Tx, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(Bx, Tx, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(Bx, Tx, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(Bx, Tx, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :Tx, :Tx] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(Bx, Tx, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c['n_embd'], 4 * c['n_embd'], bias=c['bias'])
        self.gelu = nn.GELU(approximate='tanh')
        self.c_proj = nn.Linear(4 * c['n_embd'], c['n_embd'], bias=c['bias'])

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c['n_embd'])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = nn.LayerNorm(c['n_embd'])
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c['vocab_size'], c['n_embd']),
            wpe=nn.Embedding(c['block_size'], c['n_embd']),
            h=nn.ModuleList([Block(c) for _ in range(c['n_layer'])]),
            ln_f=nn.LayerNorm(c['n_embd']),
        ))
        self.lm_head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        for name, p in self.named_parameters():
            # random (not nanoGPT's zero) biases and LayerNorm gains, so every path is exercised
            torch.nn.init.normal_(p, mean=1.0 if name.endswith('ln_1.weight') or name.endswith('ln_2.weight') or name.endswith('ln_f.weight') else 0.0, std=0.1 if p.dim() == 1 else 0.02)

    def forward(self, idx, targets):
        pos = torch.arange(idx.size(1))
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes()
        header[name] = dict(dtype='F32', shape=list(t.shape), data_offsets=[offset, offset + len(data)])
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


model = GPT(CFG)
params = {n: p for n, p in model.named_parameters() if n != 'lm_head.weight'}
idx = torch.randint(0, CFG['vocab_size'], (B, T))
targets = torch.randint(0, CFG['vocab_size'], (B, T))
targets[0, :5] = -1  # a masked prompt
targets[1, 11] = -1
write_safetensors(os.path.join(HERE, 'weights.safetensors'), params)

logits, loss = model(idx, targets)
loss.backward()
expected = {'logits': logits, 'loss': loss.reshape(1)}
expected.update({f'grad.{n}': p.grad for n, p in params.items()})

decay = [p for p in params.values() if p.dim() >= 2]
no_decay = [p for p in params.values() if p.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': ADAMW['weight_decay']}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=ADAMW['lr'], betas=ADAMW['betas'], eps=ADAMW['eps'])
opt.step()
expected.update({f'adamw.{n}': p for n, p in params.items()})
write_safetensors(os.path.join(HERE, 'expected.safetensors'), expected)

with open(os.path.join(HERE, 'batch.json'), 'w') as f:
    json.dump(dict(config=CFG, B=B, T=T, idx=idx.flatten().tolist(), targets=targets.flatten().tolist(), adamw=ADAMW,
                   torch_version=torch.__version__), f)
print(f'loss {loss.item():.6f}; wrote {len(params)} weights, {len(expected)} expected tensors to {HERE}')
