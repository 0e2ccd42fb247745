/* cli_model.c -- loading a checkpoint for the commands (cli_model.h). */
#include "cli.h"
#include "cli_model.h"

void cli_ckpt_load(cli_ckpt *c, const char *path, size_t Bmax, int checked, const char *who)
{
    char err[4400];
    swiglu_status st = (checked ? sw_checkpoint_load_model : sw_checkpoint_load_model_unchecked)(
        &c->m, Bmax, c->itos, &c->vocab, &c->mode, &c->step, path, err, sizeof err);
    if (st == SWIGLU_OK) return;
    if (who) cli_die("%s: %s", who, err);
    cli_die("%s", err);
}
