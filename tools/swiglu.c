/* swiglu.c -- the `swiglu` command's entry point; the command table and its
 * dispatch are in commands.c (the CLI fuzz target links them without main). */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_run(argc, argv);
}
