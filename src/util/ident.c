/* ident.c — identifier validation and UUIDv7 generation. */
#include "util/ident.h"

#include <sodium.h>
#include <string.h>

#include "util/codec.h"

static int valid_token(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return 0;
        if (n >= max)
            return 0;
    }
    return n >= min;
}

int ident_valid_participant(const char *s)
{
    return valid_token(s, 2, IDENT_PARTICIPANT_MAX);
}

int ident_valid_group(const char *s)
{
    return valid_token(s, 2, IDENT_GROUP_MAX);
}

int ident_valid_uuid(const char *s)
{
    if (strlen(s) != IDENT_UUID_LEN)
        return 0;
    for (int i = 0; i < IDENT_UUID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    if (s[14] != '4' && s[14] != '7')
        return 0;
    return s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b';
}

void ident_new_uuid(char out[IDENT_UUID_LEN + 1], int64_t now_ms)
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)((uint64_t)now_ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70 | (b[6] & 0x0f));
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f));
    char hex[33];
    hex_encode(hex, b, 16);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
}
