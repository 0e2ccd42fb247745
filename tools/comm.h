/* comm.h -- the processes of an MPI job (Open MPI's mpirun, or srun): the
 * one file of the CLI that calls MPI (tools/comm.c; libswiglu and src/ stay
 * MPI-free, docs/CLUSTER.md). A command started without a launcher is one
 * process, rank 0 of 1, and MPI is never initialised: everything then
 * behaves exactly as without this file. Every call below is collective
 * (all ranks call it, in the same order) unless it says otherwise. */
#ifndef SW_TOOLS_COMM_H
#define SW_TOOLS_COMM_H
#include <stdint.h>
#include "model/trainer.h"

/* MPI_Init when a launcher started this process (its environment says so),
 * else nothing; idempotent. */
void comm_init(void);
/* MPI_Finalize, on the way out of a command that went well. A rank that
 * dies (cli_die, a signal) never calls it: mpirun then ends the whole job
 * at once instead of the others waiting in a collective for it. */
void comm_finish(void);
int comm_rank(void);
int comm_size(void);
/* Processes of this job on this node (1 without a launcher). */
int comm_local_size(void);
/* The trainer's gradient sum over the ranks (sw_train_comm), or NULL with
 * one rank. Its time is counted by comm_sum_seconds. */
const sw_train_comm *comm_train(void);
double comm_sum_seconds(void);
/* 1 when flag is non-zero on any rank. */
int comm_any(int flag);
/* 1 when every rank passes the same v. */
int comm_same(uint64_t v);
/* The ranks in groups of k consecutive ones (world ranks k g .. k g + k - 1
 * form group g; MPI_Comm_split): comm_train() then sums over this rank's
 * group only (the lab's --ranks-per-run). Returns g, or -1 on failure;
 * k <= 1 changes nothing. Collective, once. */
int comm_group(int k);
/* This rank's rank in its group (comm_rank() without groups). */
int comm_group_rank(void);
/* v of the group's rank 0, on every rank of the group (collective over it). */
int comm_group_bcast(int v);
/* Point to point, for the lab's run ids (not collective): rank 0 polls for
 * a worker's message (non-blocking: 1 and *from, msg[0..1] when one came);
 * a worker sends two ints and waits for one int back. */
int comm_poll(int *from, int msg[2]);
void comm_send_int(int to, int v);
int comm_ask(const int msg[2]);

#endif
