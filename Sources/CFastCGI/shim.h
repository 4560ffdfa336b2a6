#ifndef FIREFLY_CFASTCGI_SHIM_H
#define FIREFLY_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
