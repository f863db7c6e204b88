/* access.c — the read rule of access.h. */
#include "hotline/access.h"

#include <string.h>

int access_is_recipient(const store_recipient *rs, size_t n, const char *viewer)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rs[i].participant, viewer) == 0)
            return 1;
    return 0;
}

int access_check(store *reader, const store_message *m, const store_recipient *rs, size_t n,
                 const char *viewer, perr *err)
{
    if (strcmp(m->sender, viewer) == 0 || access_is_recipient(rs, n, viewer) || m->tlp == TLP_CLEAR)
        return 0;
    if (m->tlp == TLP_GREEN) {
        int member = 0;
        if (store_member_of(reader, m->group, viewer, &member, err) != 0)
            return -1;
        if (member)
            return 0;
        return perr_set(err, PERR_FORBIDDEN, "message %s is TLP:GREEN for the members of %s", m->id, m->group);
    }
    return perr_set(err, PERR_FORBIDDEN, "message %s is TLP:%s: only its sender and recipients may read it",
                    m->id, tlp_name(m->tlp));
}
