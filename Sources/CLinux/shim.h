#ifndef FIREFLY_CLINUX_SHIM_H
#define FIREFLY_CLINUX_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* for O_DIRECT */
#endif
#include <sys/prctl.h>
#include <signal.h>
#include <fcntl.h>

/* prctl is variadic, which Swift cannot call: one typed wrapper for the one option FireFly uses. */
static inline int firefly_set_parent_death_signal(int signal_number) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal_number, 0UL, 0UL, 0UL);
}

/* O_DIRECT is a GNU extension Swift's Glibc module does not export. */
static inline int firefly_open_direct_flag(void) {
    return O_DIRECT;
}
#endif
