#ifndef FIREFLY_CSQLITE_SHIM_H
#define FIREFLY_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <time.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import. */
static inline sqlite3_destructor_type firefly_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* sleep(ms): a SQL function that makes a statement run long, in 10 ms slices, returning early
   (with SQLITE_INTERRUPT) once the int the function was registered with becomes non-zero. */
static void firefly_sqlite_sleep(sqlite3_context *context, int argc, sqlite3_value **argv) {
    volatile int *cancelled = (volatile int *)sqlite3_user_data(context);
    long long remaining = argc > 0 ? sqlite3_value_int64(argv[0]) : 0;
    while (remaining > 0) {
        if (cancelled && *cancelled) { sqlite3_result_error_code(context, SQLITE_INTERRUPT); return; }
        long long slice = remaining < 10 ? remaining : 10;
        struct timespec ts = { 0, (long)(slice * 1000000) };
        nanosleep(&ts, NULL);
        remaining -= slice;
    }
    sqlite3_result_int64(context, argc > 0 ? sqlite3_value_int64(argv[0]) : 0);
}

static inline int firefly_sqlite_register_sleep(sqlite3 *db, volatile int *cancelled) {
    return sqlite3_create_function_v2(db, "sleep", 1, SQLITE_UTF8, (void *)cancelled, firefly_sqlite_sleep, NULL, NULL, NULL);
}
#endif
