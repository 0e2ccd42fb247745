/* spawn.c -- see spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include "lab/spawn.h"

extern char **environ;

int sw_spawn_quiet_in(const char *cwd, char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);   /* glibc >= 2.29 */
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) return rc == ENOENT ? SW_SPAWN_NOT_FOUND : -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    /* glibc reports an exec failure after the fork as exit 127 */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return SW_SPAWN_NOT_FOUND;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int sw_spawn_quiet(char *const argv[])
{
    return sw_spawn_quiet_in(NULL, argv) == 0 ? 0 : -1;
}
