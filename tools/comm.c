/* comm.c -- comm.h over MPI (Open MPI), or one process without it (built
 * without mpi.h, or started without a launcher).
 *
 * Sharded (the default, ZeRO-1; trainer.h): one blocking MPI_Reduce_scatter
 * of the whole gradient, each rank receiving its slice's part, the loss
 * sum, and MPI_Allgatherv of the norm's partial sums and of the updated
 * weights. Replicated (SWIGLU_DP_SHARD=0, or SWIGLU_DP_OVERLAP=1): by
 * buckets, a sum per layer started as that layer's backward ends, then the
 * head's and the embedding's, the loss sum, and a wait for the buckets: an
 * MPI_Allreduce per bucket (with SWIGLU_DP_OVERLAP=1 an MPI_Iallreduce),
 * in chunks of at most 2^30 floats (MPI counts are int), and every rank
 * updates every weight.
 * Every rank gets the same bits: sharded, each weight is updated by one
 * rank and copied; replicated, Open MPI's reduction applies the same
 * operations in the same order for every rank's copy of an element (and
 * with 2 ranks a + b = b + a exactly); the weight check at each evaluation
 * (comm_same over a CRC of the parameters) would catch a library that does
 * not. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "comm.h"
#ifdef SWIGLU_HAVE_MPI
#include <mpi.h>
#endif

static int inited, rank_, size_ = 1, local_ = 1;
static int grank, gsize = 1;   /* this rank in the trainer's group (comm_group; else the world) */
static double sum_seconds;

/* Started by a launcher: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, srun
 * with PMIx PMIX_RANK, srun with PMI-2 (and MPICH's hydra) PMI_RANK. */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

#ifdef SWIGLU_HAVE_MPI
static int mpi_on;    /* MPI_Init was called */
static int overlap;   /* SWIGLU_DP_OVERLAP=1: the buckets non-blocking (replicated) */
static int shard = 1; /* SWIGLU_DP_SHARD=0 or overlap: the replicated optimizer step */
static int *icnt, *idsp;   /* [size_] a collective's int counts and displacements */
static MPI_Comm tcomm;     /* the trainer's ranks: the world, or this rank's group */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void comm_init(void)
{
    if (inited) return;
    inited = 1;
    if (!launched()) return;
    MPI_Init(NULL, NULL);
    mpi_on = 1;
    const char *ov = getenv("SWIGLU_DP_OVERLAP");
    overlap = ov && !strcmp(ov, "1");
    const char *sh = getenv("SWIGLU_DP_SHARD");
    shard = !overlap && !(sh && !strcmp(sh, "0"));
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    tcomm = MPI_COMM_WORLD;
    grank = rank_; gsize = size_;
    icnt = calloc((size_t)size_, sizeof *icnt);
    idsp = calloc((size_t)size_, sizeof *idsp);
    if (!icnt || !idsp) MPI_Abort(MPI_COMM_WORLD, 2);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local_);
    MPI_Comm_free(&node);
}

void comm_finish(void)
{
    if (mpi_on) MPI_Finalize();
    mpi_on = 0;
    free(icnt); free(idsp);
    icnt = idsp = NULL;
}

/* counts (size_t) into icnt and idsp (consecutive parts); 1 when a count or
 * an offset does not fit MPI's int */
static int int_counts(const size_t *counts)
{
    size_t o = 0;
    for (int r = 0; r < gsize; r++) {
        if (counts[r] > INT_MAX || o > INT_MAX) return 1;
        icnt[r] = (int)counts[r]; idsp[r] = (int)o;
        o += counts[r];
    }
    return 0;
}

/* The gradient buckets (trainer.h): each layer's sum started as its
 * backward ends. SWIGLU_DP_OVERLAP=1: with MPI_Iallreduce, every start also
 * testing the earlier ones (which is when Open MPI moves a non-blocking
 * collective on), overlapped with the rest of the backward. The default is
 * a blocking MPI_Allreduce per bucket: on 2 ranks of a 2-core machine,
 * where no core is idle to overlap with, it is the faster (the standard
 * model: ~36k tokens/s against ~32k, docs/CLUSTER.md). */
enum { MAX_REQ = 4096 };
static MPI_Request req[MAX_REQ];
static int n_req;

static int start(void *ctx, float *g, size_t n, const size_t *counts)
{
    (void)ctx;
    double t0 = now();
    if (counts) {
        /* sharded: in place, MPI puts this rank's part at g[0]: moved to
         * its own offset (the other parts of g are not used again) */
        if (int_counts(counts) ||
            MPI_Reduce_scatter(MPI_IN_PLACE, g, icnt, MPI_FLOAT, MPI_SUM, tcomm) != MPI_SUCCESS)
            return 1;
        if (icnt[grank] && idsp[grank]) memmove(g + idsp[grank], g, (size_t)icnt[grank] * sizeof *g);
        sum_seconds += now() - t0;
        return 0;
    }
    for (size_t o = 0; o < n;) {
        size_t k = n - o < ((size_t)1 << 30) ? n - o : (size_t)1 << 30;
        if (n_req == MAX_REQ && MPI_Waitall(n_req, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS) return 1;
        if (n_req == MAX_REQ) n_req = 0;
        if (!overlap) { if (MPI_Allreduce(MPI_IN_PLACE, g + o, (int)k, MPI_FLOAT, MPI_SUM, tcomm)) return 1; }
        else if (MPI_Iallreduce(MPI_IN_PLACE, g + o, (int)k, MPI_FLOAT, MPI_SUM, tcomm, &req[n_req++]) != MPI_SUCCESS)
            return 1;
        o += k;
    }
    int done;
    if (MPI_Testall(n_req, req, &done, MPI_STATUSES_IGNORE) != MPI_SUCCESS) return 1;
    sum_seconds += now() - t0;
    return 0;
}

static int finish(void *ctx, double *loss_sum)
{
    (void)ctx;
    double t0 = now();
    if (MPI_Allreduce(MPI_IN_PLACE, loss_sum, 1, MPI_DOUBLE, MPI_SUM, tcomm) != MPI_SUCCESS) return 1;
    if (MPI_Waitall(n_req, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS) return 1;
    n_req = 0;
    sum_seconds += now() - t0;
    return 0;
}

static int gather(void *ctx, void *buf, size_t elem, const size_t *counts)
{
    (void)ctx;
    double t0 = now();
    if (int_counts(counts) ||
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, icnt, idsp, elem == 8 ? MPI_DOUBLE : MPI_FLOAT,
                       tcomm) != MPI_SUCCESS)
        return 1;
    sum_seconds += now() - t0;
    return 0;
}

static int sum(void *ctx, double *x, size_t n)
{
    (void)ctx;
    return n > INT_MAX || MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_DOUBLE, MPI_SUM, tcomm) != MPI_SUCCESS;
}

int comm_any(int flag)
{
    if (size_ == 1) return flag != 0;
    int v = flag != 0, r = 0;
    MPI_Allreduce(&v, &r, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return r;
}

int comm_same(uint64_t v)
{
    if (size_ == 1) return 1;
    unsigned long long x = v, lo = 0, hi = 0;
    MPI_Allreduce(&x, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&x, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    return lo == hi;
}

int comm_group(int k)
{
    if (size_ == 1 || k <= 1) return rank_;
    MPI_Comm g;
    if (MPI_Comm_split(MPI_COMM_WORLD, rank_ / k, rank_, &g) != MPI_SUCCESS) return -1;
    tcomm = g;
    MPI_Comm_rank(g, &grank);
    MPI_Comm_size(g, &gsize);
    return rank_ / k;
}

int comm_group_bcast(int v)
{
    if (gsize > 1) MPI_Bcast(&v, 1, MPI_INT, 0, tcomm);
    return v;
}

enum { TAG_ASK = 16, TAG_ID = 17 };

int comm_poll(int *from, int msg[2])
{
    int flag = 0;
    MPI_Status s;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &flag, &s);
    if (!flag) return 0;
    MPI_Recv(msg, 2, MPI_INT, s.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    *from = s.MPI_SOURCE;
    return 1;
}

void comm_send_int(int to, int v) { MPI_Send(&v, 1, MPI_INT, to, TAG_ID, MPI_COMM_WORLD); }

int comm_ask(const int msg[2])
{
    int v = -1;
    MPI_Send(msg, 2, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
    MPI_Recv(&v, 1, MPI_INT, 0, TAG_ID, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return v;
}
#else
/* no mpi.h at build time: one process, whatever launched it */
void comm_init(void) { inited = 1; (void)launched; }
void comm_finish(void) {}
static int shard;
static int start(void *ctx, float *g, size_t n, const size_t *counts) { (void)ctx; (void)g; (void)n; (void)counts; return 0; }
static int finish(void *ctx, double *loss_sum) { (void)ctx; (void)loss_sum; return 0; }
static int gather(void *ctx, void *buf, size_t elem, const size_t *counts) { (void)ctx; (void)buf; (void)elem; (void)counts; return 0; }
static int sum(void *ctx, double *x, size_t n) { (void)ctx; (void)x; (void)n; return 0; }
int comm_any(int flag) { return flag != 0; }
int comm_same(uint64_t v) { (void)v; return 1; }
int comm_poll(int *from, int msg[2]) { (void)from; (void)msg; return 0; }
void comm_send_int(int to, int v) { (void)to; (void)v; }
int comm_ask(const int msg[2]) { (void)msg; return -1; }
int comm_group(int k) { (void)k; return 0; }
int comm_group_bcast(int v) { return v; }
#endif

int comm_rank(void) { return rank_; }
int comm_group_rank(void) { return grank; }
int comm_size(void) { return size_; }
int comm_local_size(void) { return local_; }
double comm_sum_seconds(void) { return sum_seconds; }

const sw_train_comm *comm_train(void)
{
    static sw_train_comm c;
    if (gsize == 1) return NULL;
    c = (sw_train_comm){grank, gsize, shard, start, finish, gather, sum, NULL};
    return &c;
}
