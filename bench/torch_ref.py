#!/usr/bin/env python3
"""torch_ref.py -- the same LLaMA-style model as `swiglu train`, in PyTorch,
for the side-by-side benchmark (bench/train_baby_gpt.sh).

Model: char (or byte) tokens, token embedding, N blocks of pre-norm RMSNorm ->
causal multi-head attention with RoPE on adjacent pairs (llama2.c's form) ->
residual; RMSNorm -> FFN (gelu: W2 gelu(W1 x); swiglu: W2 (silu(W1 x) * W3 x))
-> residual; final RMSNorm; head tied to the embedding; no biases, no dropout.
Init normal(0, 0.02), residual projections 0.02/sqrt(2L). Training as nanoGPT:
AdamW (weight decay on matrices only), linear warmup then cosine to min_lr,
gradient clipping, a 90/10 split, random windows, eval_batches batches per
split every eval_every steps.

--accum K: K micro-batches of --batch windows per step (the gradient of
their mean loss), as `swiglu train --accum K`. --ddp P: P processes
(torch.multiprocessing, DistributedDataParallel over gloo, --threads each),
every one drawing the same K micro-batches from the same seed and process r
computing those with k % P == r (the windows of --accum K in one process,
as `mpirun -n P swiglu train`); DDP averages the gradients over the
processes during the backward of each one's last micro-batch
(bench/bench_dp.sh).

Prints one JSON line at the end (process 0): val loss, wall time, tokens/s.
Run with OMP_WAIT_POLICY=passive and --threads equal to ours.
"""
import argparse, contextlib, json, math, os, socket, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--tokens", default="char", choices=["char", "byte"])
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--batch", type=int, default=12)
    p.add_argument("--accum", type=int, default=1)
    p.add_argument("--ddp", type=int, default=1)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--wd", type=float, default=0.1)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--ffn", default="gelu", choices=["gelu", "swiglu"])
    p.add_argument("--ffn-hidden", type=int, default=0)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-batches", type=int, default=20)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    return p.parse_args()


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(T, hs, theta=10000.0):
    freq = theta ** (-torch.arange(0, hs, 2, dtype=torch.float64) / hs)  # [hs/2]
    ang = torch.arange(T, dtype=torch.float64)[:, None] * freq[None, :]  # [T, hs/2]
    return torch.cos(ang).float(), torch.sin(ang).float()


def rope(x, cos, sin):
    # x [B, nh, T, hs]; pairs (2i, 2i+1) rotate by t * freq_i
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[: x.shape[2]], sin[: x.shape[2]]
    out = torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1)
    return out.flatten(-2)


class Block(nn.Module):
    def __init__(self, D, nh, H, ffn):
        super().__init__()
        self.nh, self.hs = nh, D // nh
        self.rms_att, self.rms_ffn = RMSNorm(D), RMSNorm(D)
        self.wq = nn.Linear(D, D, bias=False)
        self.wk = nn.Linear(D, D, bias=False)
        self.wv = nn.Linear(D, D, bias=False)
        self.wo = nn.Linear(D, D, bias=False)
        self.ffn = ffn
        self.w1 = nn.Linear(D, H, bias=False)
        self.w3 = nn.Linear(D, H, bias=False) if ffn == "swiglu" else None
        self.w2 = nn.Linear(H, D, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, D = x.shape
        h = self.rms_att(x)
        q = self.wq(h).view(B, T, self.nh, self.hs).transpose(1, 2)
        k = self.wk(h).view(B, T, self.nh, self.hs).transpose(1, 2)
        v = self.wv(h).view(B, T, self.nh, self.hs).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hs))
        att = att.masked_fill(mask[:T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        x = x + self.wo(y.transpose(1, 2).contiguous().view(B, T, D))
        h = self.rms_ffn(x)
        if self.ffn == "swiglu":
            f = self.w2(F.silu(self.w1(h)) * self.w3(h))
        else:
            f = self.w2(F.gelu(self.w1(h)))
        return x + f


class Model(nn.Module):
    def __init__(self, V, L, D, nh, T, H, ffn):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.blocks = nn.ModuleList([Block(D, nh, H, ffn) for _ in range(L)])
        self.rms_final = RMSNorm(D)
        cos, sin = rope_tables(T, D // nh)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.register_buffer("mask", torch.tril(torch.ones(T, T)))
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * L) if n.endswith("wo.weight") or n.endswith("w2.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx, targets):
        x = self.emb(idx)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        logits = F.linear(self.rms_final(x), self.emb.weight)  # tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    a = parse()
    if a.accum < 1 or a.ddp < 1 or a.accum % a.ddp:
        sys.exit(f"torch_ref.py: --accum {a.accum} must be a positive multiple of --ddp {a.ddp}")
    if a.ddp == 1:
        return run(0, a, 0)
    import torch.multiprocessing as mp
    with socket.socket() as s:   # a free port for the processes' rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(run, args=(a, port), nprocs=a.ddp)


def run(rank, a, port):
    if a.ddp > 1:
        import torch.distributed as dist
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
        dist.init_process_group("gloo", rank=rank, world_size=a.ddp)
    say = print if rank == 0 else (lambda *args, **kw: None)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    raw = open(a.data, "rb").read()
    if a.tokens == "char":
        vocab = sorted(set(raw))
        stoi = {c: i for i, c in enumerate(vocab)}
        data = torch.tensor([stoi[c] for c in raw], dtype=torch.long)
        V = len(vocab)
    else:
        data = torch.tensor(list(raw), dtype=torch.long)
        V = 256
    n = len(data)
    ntrain = n - n // 10
    splits = (data[:ntrain], data[ntrain:])
    T, B = a.context, a.batch
    H = a.ffn_hidden or (4 * a.dim if a.ffn == "gelu" else int(2 * 4 * a.dim / 3))

    def batch(split, gen=None):
        d = splits[split]
        ix = torch.randint(len(d) - T, (B,), generator=gen)
        x = torch.stack([d[i:i + T] for i in ix])
        y = torch.stack([d[i + 1:i + 1 + T] for i in ix])
        return x, y

    model = Model(V, a.layers, a.dim, a.heads, T, H, a.ffn)
    net = model   # what the training step calls: DDP's wrapper with --ddp
    if a.ddp > 1:
        net = nn.parallel.DistributedDataParallel(model)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    nodecay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd},
                             {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(a.beta1, a.beta2), eps=1e-8)

    def lr_at(s):
        if s < a.warmup:
            return a.lr * (s + 1) / (a.warmup + 1)
        if s > a.steps:
            return a.min_lr
        r = (s - a.warmup) / (a.steps - a.warmup)
        return a.min_lr + 0.5 * (1.0 + math.cos(math.pi * r)) * (a.lr - a.min_lr)

    @torch.no_grad()
    def evaluate():
        model.eval()
        out = []
        for split in (0, 1):
            gen = torch.Generator().manual_seed(a.seed * 7 + split)  # fixed batches
            out.append(sum(model(*batch(split, gen)).item() for _ in range(a.eval_batches)) / a.eval_batches)
        model.train()
        return out

    nparams = sum(p.numel() for p in model.parameters())
    say(f"torch {torch.__version__}: {a.layers} layers, d_model {a.dim}, ffn {a.ffn} d_ff {H}, vocab {V}, "
        f"{nparams} parameters, {torch.get_num_threads()} threads, {a.ddp} process(es), accum {a.accum}", flush=True)
    t0 = time.time()
    eval_time = 0.0
    val = float("nan")
    for s in range(a.steps + 1):
        if s % a.eval_every == 0 or s == a.steps:
            te = time.time()
            tr, val = evaluate()
            eval_time += time.time() - te
            say(f"eval step {s}: train loss {tr:.4f}, val loss {val:.4f}", flush=True)
        if s == a.steps:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        opt.zero_grad(set_to_none=True)
        # the mean over accum micro-batches; DDP divides the sum over its
        # processes by ddp, so each process's share is scaled by ddp / accum
        mine = [k for k in range(a.accum) if k % a.ddp == rank]
        for k in range(a.accum):
            x, y = batch(0)   # every process draws every micro-batch: the same windows
            if k % a.ddp != rank:
                continue
            sync = net.no_sync() if a.ddp > 1 and k != mine[-1] else contextlib.nullcontext()
            with sync:
                loss = net(x, y)
                (loss * (a.ddp / a.accum)).backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        if (s + 1) % a.log_every == 0:
            el = time.time() - t0 - eval_time
            say(f"step {s + 1}/{a.steps} loss {loss.item():.4f} tok/s {(s + 1) * B * a.accum * T / el:.0f}", flush=True)
    wall = time.time() - t0
    train_time = wall - eval_time
    say(json.dumps({"impl": "torch", "val_loss": round(val, 4), "wall_s": round(wall, 2),
                    "train_s": round(train_time, 2), "eval_s": round(eval_time, 2),
                    "tokens_per_s": round(a.steps * B * a.accum * T / train_time, 1)}), flush=True)
    if a.ddp > 1:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
