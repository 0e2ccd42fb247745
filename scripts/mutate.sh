#!/usr/bin/env bash
# mutate.sh -- mutation testing of the test suite (issue #22; not in CI).
#
# Applies each small deliberate bug on the list below to the source, one at a
# time, rebuilds the tests that guard that code, runs them, restores the file,
# and prints a table: which test killed the mutation, or SURVIVED. A test
# suite that cannot fail when the code is wrong proves nothing; every mutation
# here must be killed (a survivor gets a new test, or is removed from the list
# with a comment saying why it is equivalent to the original).
#
#   scripts/mutate.sh              every mutation (5-30 s each; ~100 s for a
#                                  kernel header, which every SIMD object includes)
#   scripts/mutate.sh 3 17         only mutations 3 and 17
#   scripts/mutate.sh --check      only checks that every mutation still
#                                  applies (its text occurs exactly once)
#   scripts/mutate.sh --list       the list, numbered
#
# Each mutation is one line "file @@ tests @@ original text @@ mutated text".
# The original text must occur exactly once in the file, else the mutation is
# reported STALE (the code moved on: update the line). Tests are separated by
# ';': a name is build/tests/<name> (arguments and VAR=value prefixes
# allowed), a tests/*.sh path a shell test (it needs `make all`). Only the
# targets the tests need are rebuilt (make -j2, incremental), and each test
# runs under `timeout`; the first that fails kills the mutation.
#
# The tree is never left mutated: the original is saved under
# build/mutate-saved/ before the file is touched and written back afterwards
# (also on Ctrl-C or SIGTERM; a run killed with -9 is repaired at the next
# start). Restoring gives the file a new mtime, so make rebuilds it; at the
# end everything is rebuilt once more (make all tests-build).
# Exit status: 0 when every mutation was killed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import os, re, signal, subprocess, sys, time

MUTATIONS = r"""
# ---- the lab's verdicts: src/lab/verdict.c ---------------------------------
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (pv >= alpha || d == 0) return SW_INCONCLUSIVE; @@ if (d == 0) return SW_INCONCLUSIVE;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (pv >= alpha || d == 0) return SW_INCONCLUSIVE; @@ if (pv >= 10 * alpha || d == 0) return SW_INCONCLUSIVE;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ return d < 0 ? SW_HELD : SW_NOT_HELD; @@ return d > 0 ? SW_HELD : SW_NOT_HELD;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (f < 0.001) return SW_HELD; @@ if (f < 0.004) return SW_HELD;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (f > 0.01) return SW_NOT_HELD; @@ if (f > 0.1) return SW_NOT_HELD;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (f < 0.001) return SW_HELD; @@ if (f <= 0.001) return SW_HELD;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (lr_sign < 0 || smooth_sign < 0) return SW_NOT_HELD; @@ if (lr_sign < 0) return SW_NOT_HELD;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ (lr_sign > 0 || spikes_sign > 0 || smooth_sign > 0) @@ (lr_sign > 0 || spikes_sign > 0)
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ int all_held = n > 0; @@ int all_held = 1;
src/lab/verdict.c @@ test_lab_verdict;test_lab_claims @@ if (v[i] == SW_NOT_HELD) return SW_NOT_HELD; @@ if (v[i] == SW_NOT_HELD) continue;
# ---- statistics: src/lab/stats.c -------------------------------------------
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ return sqrt(s / (double)(n - 1)); @@ return sqrt(s / (double)n);
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ return beta_inc(df / 2, 0.5, df / (df + t * t)); @@ return 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ d[i] = a[i] - b[i]; @@ d[i] = b[i] - a[i];
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ double tt = md / (sd / sqrt((double)m)); @@ double tt = md / sd;
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ return sw_t_pvalue(tt, (double)(m - 1)); @@ return sw_t_pvalue(tt, (double)m);
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ if ((dx > 0) == (dy > 0)) conc++; else disc++; @@ if ((dx > 0) == (dy < 0)) conc++; else disc++;
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ if (dx == 0) { tx++; continue; } @@ if (dx == 0) { continue; }
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ if (isinf(t)) return 0.0; @@ if (isinf(t)) return 1.0;
src/lab/stats.c @@ test_lab_verdict;test_lab_claims @@ if (isnan(t) || df <= 0) return 1.0; @@ if (df <= 0) return 1.0;
# ---- claims and metrics: src/lab/claims.c ----------------------------------
src/lab/claims.c @@ test_lab_claims @@ double thr = fmax(0.3, 5 * 1.4826 * mad); @@ double thr = fmax(0.3, 3 * 1.4826 * mad);
src/lab/claims.c @@ test_lab_claims @@ double thr = fmax(0.3, 5 * 1.4826 * mad); @@ double thr = fmax(0.1, 5 * 1.4826 * mad);
src/lab/claims.c @@ test_lab_claims @@ if (loss[r] - med > thr) sp++; @@ if (fabs(loss[r] - med) > thr) sp++;
src/lab/claims.c @@ test_lab_claims @@ if (step[r] <= (double)warmup) continue; @@ if (step[r] < (double)warmup) continue;
src/lab/claims.c @@ test_lab_claims @@ jsum += fabs(log(grad_norm[r]) - log(grad_norm[r - 1])); @@ jsum += log(grad_norm[r]) - log(grad_norm[r - 1]);
src/lab/claims.c @@ test_lab_claims @@ *jitter = jn ? jsum / (double)jn : NAN; @@ *jitter = jn ? jsum / (double)rows : NAN;
src/lab/claims.c @@ test_lab_claims @@ vs[v].sweep[k] <= 1.25 * best @@ vs[v].sweep[k] <= 1.5 * best
src/lab/claims.c @@ test_lab_claims @@ vs[v].stable_lr = fmax(vs[v].stable_lr, rates[k]); @@ vs[v].stable_lr = rates[k];
src/lab/claims.c @@ test_lab_claims @@ nc[s] = -vs[cand].acc[s]; @@ nc[s] = vs[cand].acc[s];
src/lab/claims.c @@ test_lab_claims @@ sw_compare_lower(vs[cand].val, vs[base[b]].val, S @@ sw_compare_lower(vs[base[b]].val, vs[cand].val, S
src/lab/claims.c @@ test_lab_claims @@ if (csp > bsp) sp_sign = -1; @@ if (csp < bsp) sp_sign = -1;
src/lab/claims.c @@ test_lab_claims @@ if (vs[cand].stable_lr < vs[base[b]].stable_lr) lr_sign = -1; @@ if (vs[cand].stable_lr > vs[base[b]].stable_lr) lr_sign = -1;
src/lab/claims.c @@ test_lab_claims @@ sm_sign = smv == SW_HELD ? 1 : smv == SW_NOT_HELD ? -1 : 0; @@ sm_sign = smv == SW_HELD ? 1 : 0;
src/lab/claims.c @@ test_lab_claims @@ return sw_verdict_dead(vs[cand].dead_end); @@ return sw_verdict_dead(vs[cand].dead_init);
# ---- the report: src/lab/report.c ------------------------------------------
src/lab/report.c @@ test_lab_claims @@ de = fmax(de, sw_csv_at(&t, t.rows - 1, c)); @@ de = fmax(de, sw_csv_at(&t, 0, c));
src/lab/report.c @@ test_lab_claims @@ s->dead_end = fmax(s->dead_end, de); @@ s->dead_end += de / p->n_seeds;
src/lab/report.c @@ test_lab_claims @@ step_stats(path, pr->train.warmup, &s->spikes[k] @@ step_stats(path, 0, &s->spikes[k]
src/lab/report.c @@ test_lab_claims @@ fsum += log10(a / b); @@ fsum += log10(b / a);
src/lab/report.c @@ test_lab_claims @@ ze += sw_csv_at(&t, t.rows - 1, z) / (double)L; @@ ze = fmax(ze, sw_csv_at(&t, t.rows - 1, z));
src/lab/report.c @@ test_lab_claims @@ vs[v].stable_lr >= pr->rates[r] && isfinite(vs[v].sweep[r]) @@ vs[v].stable_lr > pr->rates[r] && isfinite(vs[v].sweep[r])
# ---- activation kernels: src/kernels ---------------------------------------
src/kernels/act_scalar.h @@ SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ return s + (q == 0 ? 0.0 : 2.0 * x * q * du); @@ return s + 2.0 * x * q * du;
src/kernels/act_scalar.h @@ test_kernels_api;SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ if (isinf(x)) return z > 0 ? x : (z < 0 ? copysign(0.0, x) : 0.5 * x); @@ if (isinf(x)) return z > 0 ? x : 0.5 * x;
src/kernels/glu_scalar.h @@ test_kernels_api;test_ffn_ref;SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ mu = (uv >= -g->limit && uv <= g->limit) ? 1.0 : 0.0; @@ mu = (uv <= g->limit) ? 1.0 : 0.0;
src/kernels/glu_scalar.h @@ test_kernels_api;test_ffn_ref;SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ double dgv = (mg == 0 || da == 0) ? 0.0 : d * uv * da; @@ double dgv = mg == 0 ? 0.0 : d * uv * da;
src/kernels/simd_swiglu.h @@ test_kernels_api;SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ p = vx_fma(p, r, vx_set1(0.5f)); @@ p = vx_fma(p, r, vx_set1(0.49f));
src/kernels/simd_gelu.h @@ test_kernels_api;SWIGLU_TEST_SCALE=0.02 test_act_accuracy @@ swf_exp_reduce(vx_mul(yh, vx_set1(-0.5f)), &kf); @@ swf_exp_reduce(vx_mul(yh, vx_set1(-0.49f)), &kf);
# ---- the FFN layer: src/ffn/ffn_layer.c ------------------------------------
src/ffn/ffn_layer.c @@ test_ffn;test_layers;test_model --gradcheck @@ if (c->learn_beta) grads->beta[0] += (float)dbeta; @@ if (c->learn_beta) grads->beta[0] -= (float)dbeta;
src/ffn/ffn_layer.c @@ test_ffn;test_layers;test_model --gradcheck @@ colsum_add(grads->b3, dpre + H, P, T, H); @@ colsum_add(grads->b3, dpre, P, T, H);
src/ffn/ffn_layer.c @@ test_ffn;test_layers;test_model --gradcheck @@ if (j->bu) for (size_t c = 0; c < H; c++) u[c] += j->bu[c]; @@ if (j->bu) for (size_t c = 0; c < H; c++) u[c] -= j->bu[c];
src/ffn/ffn_layer.c @@ test_ffn;test_layers;test_model --gradcheck @@ gemm(f, grads->w2, SWIGLU_F32, H, dyop, D, 1, h, H, 0, D, H, T, 1.0f) @@ gemm(f, grads->w2, SWIGLU_F32, H, dyop, D, 1, h, H, 0, D, H, T, 0.0f)
# ---- the transformer: src/model --------------------------------------------
src/model/embedding.c @@ test_model --gradcheck @@ for (size_t j = j0; j < j1; j++) d[j] += s[j]; @@ for (size_t j = j0; j < j1; j++) d[j] += 1.1f * s[j];
src/model/rmsnorm.c @@ test_model --gradcheck;test_layers @@ dw[j] += dyr[j] * xr[j] * r; @@ dw[j] -= dyr[j] * xr[j] * r;
src/model/rmsnorm.c @@ test_model --gradcheck;test_layers @@ dxr[j] += r * w[j] * dyr[j] - c * xr[j]; @@ dxr[j] += r * w[j] * dyr[j] + c * xr[j];
src/model/rope.c @@ test_model --gradcheck;test_layers @@ rope_apply(dx, cos_t, sin_t, B, T, nh, HS, -1.0f); @@ rope_apply(dx, cos_t, sin_t, B, T, nh, HS, 1.0f);
src/model/attention.c @@ test_model --gradcheck;test_layers @@ if (sw_gemm_f32(dkc, KV, dP, T, 1, qh, D, 0, T, HS, T, scale, 1.0f)) bad = 1; @@ if (sw_gemm_f32(dkc, KV, dP, T, 1, qh, D, 0, T, HS, T, scale, 0.0f)) bad = 1;
src/model/crossentropy.c @@ test_model --gradcheck;test_layers @@ float g = t < 0 ? 0.0f : scale * (p[j] - ((int)j == t ? 1.0f : 0.0f)); @@ float g = t < 0 ? 0.0f : scale * (p[j] - ((int)j == t ? 0.9f : 0.0f));
src/model/adamw.c @@ test_layers @@ float decay = 1.0f - lr * wd; @@ float decay = 1.0f + lr * wd;
src/model/adamw.c @@ test_layers @@ float mi = b1 * m[i] + (1.0f - b1) * gi; @@ float mi = b1 * m[i] + (1.0f - b2) * gi;
src/model/linear.c @@ test_model --gradcheck;test_layers @@ return sw_gemm_f32(dw, in, dy, out, 1, x, in, 0, out, in, N, 1.0f, 1.0f); @@ return sw_gemm_f32(dw, in, dy, out, 1, x, in, 0, out, in, N, 1.0f, 0.0f);
# ---- checkpoints: src/model/checkpoint.c --------------------------------------
src/model/checkpoint.c @@ test_checkpoint @@ if (got != crc) @@ if (got != crc && 0)
src/model/checkpoint.c @@ test_checkpoint @@ if (version != SW_CKPT_VERSION && version != 1) @@ if (version > SW_CKPT_VERSION + 1)
src/model/checkpoint.c @@ test_checkpoint @@ if (need != k->n_params) @@ if (need < k->n_params)
src/model/checkpoint.c @@ test_checkpoint @@ if ((uint32_t)data->mode != k.mode || data->crc != k.data_crc || data->file_bytes != k.data_bytes) { @@ if ((uint32_t)data->mode != k.mode || data->file_bytes != k.data_bytes) {
"""

SAVED = "build/mutate-saved"
TEST_TIMEOUT = 120

def parse():
    out = []
    for ln in MUTATIONS.splitlines():
        if not ln.strip() or ln.lstrip().startswith("#"):
            continue
        f = [x.strip() for x in ln.split(" @@ ")]
        if len(f) != 4:
            sys.exit("mutate.sh: bad list line (want 4 fields): " + ln)
        out.append({"file": f[0], "tests": [t.strip() for t in f[1].split(";") if t.strip()], "old": f[2], "new": f[3]})
    return out

class Interrupted(Exception):
    pass

def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)

def restore_saved():
    """Writes back any original left in build/mutate-saved (a run killed with -9)."""
    if not os.path.isdir(SAVED):
        return
    for root, _, files in os.walk(SAVED):
        for name in files:
            src = os.path.join(root, name)
            dst = os.path.relpath(src, SAVED)
            with open(src, "rb") as a:
                data = a.read()
            with open(dst, "wb") as b:
                b.write(data)
            os.remove(src)
            print("mutate.sh: restored %s from an interrupted run" % dst, flush=True)

def test_cmd(t):
    words = t.split()
    env = {}
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    if words[0].endswith(".sh"):
        return env, ["bash"] + words, "all"
    return env, ["build/tests/" + words[0]] + words[1:], "build/tests/" + words[0]

def run_one(m):
    path = m["file"]
    with open(path, "rb") as f:
        orig = f.read()
    text = orig.decode()
    n = text.count(m["old"])
    if n != 1:
        return "STALE (text found %d times)" % n
    saved = os.path.join(SAVED, path)
    os.makedirs(os.path.dirname(saved), exist_ok=True)
    with open(saved, "wb") as f:
        f.write(orig)
    try:
        with open(path, "w") as f:
            f.write(text.replace(m["old"], m["new"]))
        targets = sorted({test_cmd(t)[2] for t in m["tests"]})
        # without -Werror: a mutation may leave a parameter unused
        b = subprocess.run(["make", "-s", "-j2"] + targets, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if b.returncode != 0:
            return "BUILD FAILED: " + b.stderr.decode(errors="replace").strip().splitlines()[-1][:80]
        for t in m["tests"]:
            env, cmd, _ = test_cmd(t)
            try:
                r = subprocess.run(cmd, env=dict(os.environ, **env), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TEST_TIMEOUT)
                if r.returncode != 0:
                    return "killed by " + " ".join(cmd).replace("build/tests/", "")
            except subprocess.TimeoutExpired:
                return "killed by %s (timed out after %d s)" % (t, TEST_TIMEOUT)
        return "SURVIVED"
    finally:
        # no signal may cut the restore short (one arriving now is raised
        # after it); a new mtime makes make rebuild the original
        sigs = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
        with open(path, "wb") as f:
            f.write(orig)
        os.remove(saved)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, sigs)

def main(argv):
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ms = parse()
    restore_saved()
    if "--list" in argv:
        for i, m in enumerate(ms, 1):
            print("%2d  %-28s %s  ->  %s" % (i, m["file"], m["old"], m["new"]))
        return 0
    if "--check" in argv:
        bad = 0
        for i, m in enumerate(ms, 1):
            n = open(m["file"]).read().count(m["old"])
            if n != 1:
                bad += 1
                print("%2d STALE (%d matches): %s: %s" % (i, n, m["file"], m["old"]))
        print("%d mutations, %d stale" % (len(ms), bad))
        return 1 if bad else 0
    pick = [int(a) for a in argv if a.isdigit()]
    todo = [(i, m) for i, m in enumerate(ms, 1) if not pick or i in pick]
    print("| # | file | mutation (original -> mutated) | result |")
    print("|---|------|--------------------------------|--------|")
    survived = 0
    t0 = time.time()
    try:
        for i, m in todo:
            t1 = time.time()
            res = run_one(m)
            if not res.startswith("killed"):
                survived += 1
            esc = lambda s: s.replace("|", "\\|")
            print("| %d | %s | `%s` -> `%s` | %s |" % (i, m["file"], esc(m["old"]), esc(m["new"]), res), flush=True)
            print("  (%.0f s)" % (time.time() - t1), file=sys.stderr, flush=True)
    except Interrupted as e:
        print("mutate.sh: interrupted (%s); the file was restored" % e, file=sys.stderr)
        survived = -1
    finally:
        print("mutate.sh: rebuilding the unmutated tree (make -j2 all tests-build)", file=sys.stderr, flush=True)
        try:
            subprocess.run(["make", "-s", "-j2", "WERROR=1", "all", "tests-build"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL)
        except Interrupted:
            print("mutate.sh: rebuild interrupted; the sources are unmutated: run make", file=sys.stderr)
            survived = -1
    if survived < 0:
        return 130
    print("\n%d mutations, %d killed, %d not killed (%.0f s)" % (len(todo), len(todo) - survived, survived,
                                                                time.time() - t0))
    return 1 if survived else 0

sys.exit(main(sys.argv[1:]))
PY
