#ifndef DBADVISE_CPGQUERY_SHIM_H
#define DBADVISE_CPGQUERY_SHIM_H
// libpg_query: PostgreSQL's own parser as a library (Debian: libpg-query-dev, no pkg-config file).
#include <pg_query.h>
#endif
