#ifndef DBADVISE_CLIBPQ_SHIM_H
#define DBADVISE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
