/*
 * amt_compat.c - what src/amt_compat.h cannot do inline.  Empty with
 * OpenSSL 3.
 */
#include "amt_compat.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L

#include <pthread.h>
#include <openssl/objects.h>

#define SRVNAME_OID "1.3.6.1.5.5.7.8.7"

static pthread_once_t srvname_once = PTHREAD_ONCE_INIT;
static int srvname_nid = NID_undef;

static void srvname_init(void)
{
    /* mod_ssl registers the OID itself when OpenSSL lacks it, under the
     * names below, and only when that short name is unknown: either of the
     * two finds the other's object, so there is one NID for the OID */
    srvname_nid = OBJ_txt2nid(SRVNAME_OID);
    if (srvname_nid == NID_undef) {
        srvname_nid = OBJ_create(SRVNAME_OID, "id-on-dnsSRV",
                                 "SRVName otherName form");
    }
    ERR_clear_error();
}

int amt_compat_nid_srvname(void)
{
    pthread_once(&srvname_once, srvname_init);
    return srvname_nid;
}

#else

/* ISO C wants a translation unit to declare something */
typedef int amt_compat_unused_t;

#endif
