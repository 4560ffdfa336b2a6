#ifndef FIREFLY_CLINUX_SHIM_H
#define FIREFLY_CLINUX_SHIM_H
#include <sys/prctl.h>
#include <signal.h>

/* prctl is variadic, which Swift cannot call: one typed wrapper for the one option FireFly uses. */
static inline int firefly_set_parent_death_signal(int signal_number) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal_number, 0UL, 0UL, 0UL);
}
#endif
