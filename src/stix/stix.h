/* stix.h — STIX 2.1 object validation and the facts TAXII needs from an
 * object (its id, type, version, spec_version and TLP marking).
 *
 * Checked (STIX 2.1 §3, §2): the object is a JSON object; "type" is 3–250
 * characters of [a-z0-9-], no leading/trailing or doubled hyphen; "id" is
 * "<type>--<UUID>" with the object's own type; every property name is 3–250
 * characters of [a-z0-9_] ("id"/"type" aside); "spec_version" is "2.1" (and
 * required except on cyber-observable objects); SDOs, SROs, language content
 * and marking definitions have "created" (and SDO/SRO/language content also
 * "modified") as RFC 3339 UTC timestamps with modified >= created; every
 * "*_ref" is an identifier and every "*_refs" a non-empty array of them;
 * relationships have relationship_type, source_ref and target_ref; sightings
 * sighting_of_ref; "object_marking_refs"/"created_by_ref" are identifiers of
 * the right type; booleans "revoked" and the "labels"/"external_references"
 * shapes. Custom object types and custom properties are accepted when their
 * names follow the naming rules. */
#ifndef PARLEY_STIX_H
#define PARLEY_STIX_H

#include <jansson.h>
#include <stdint.h>

#include "envelope/envelope.h"
#include "util/err.h"

#define STIX_ID_MAX 300
#define STIX_TYPE_MAX 250
#define STIX_TIME_MAX 40
#define STIX_MAX_READERS 16

typedef struct stix_meta {
    char id[STIX_ID_MAX + 1];
    char type[STIX_TYPE_MAX + 1];
    char spec_version[8];
    char version[STIX_TIME_MAX];   /* modified, else created, else "" (SCOs) */
    int64_t version_us;            /* µs since the epoch; 0 when unversioned */
    int tlp;                       /* enum tlp_level, or -1 if unmarked */
    size_t nreaders;               /* x_parley_recipients: who may read a TLP:RED object */
    char readers[STIX_MAX_READERS][IDENT_PARTICIPANT_MAX + 1];
} stix_meta;

/* Validates one object; on failure err says which property and why. */
int stix_validate(const json_t *obj, stix_meta *out, perr *err);
/* An RFC 3339 UTC STIX timestamp to µs since the epoch. */
int stix_time_us(const char *s, int64_t *us);
/* Formats µs since the epoch as YYYY-MM-DDTHH:MM:SS.ffffffZ. */
void stix_format_us(char out[STIX_TIME_MAX], int64_t us);
/* The TLP level of a marking-definition id (TLP 2.0 and the TLP 1.0 ids), or -1. */
int stix_tlp_of_marking(const char *marking_id);

#endif
