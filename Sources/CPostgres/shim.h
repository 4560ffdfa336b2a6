#ifndef FIREFLY_CPOSTGRES_SHIM_H
#define FIREFLY_CPOSTGRES_SHIM_H
#include <libpq-fe.h>
#endif
