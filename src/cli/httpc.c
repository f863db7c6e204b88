/* httpc.c — libcurl wrapper with a response size cap. */
#include "cli/httpc.h"

#include <curl/curl.h>
#include <sodium.h>

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    buf *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n > HTTPC_MAX_RESPONSE)
        return 0;
    buf_append(b, ptr, n);
    return b->failed ? 0 : n;
}

int httpc_request(const char *method, const char *url, const char *content_type, const char *authorization,
                  const char *body, size_t len, long *status, buf *response, perr *err)
{
    CURL *c = curl_easy_init();
    if (c == NULL)
        return perr_set(err, PERR_INTERNAL, "cannot start libcurl");
    struct curl_slist *headers = NULL;
    char ct[256];
    if (content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, ct);
    }
    headers = curl_slist_append(headers, "Expect:");
    buf auth;
    buf_init(&auth);
    if (authorization) {
        buf_printf(&auth, "Authorization: %s", authorization);
        headers = curl_slist_append(headers, auth.data);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    if (auth.data)
        sodium_memzero(auth.data, auth.len);
    buf_free(&auth);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        return perr_set(err, PERR_IO, "%s: %s", url, curl_easy_strerror(rc));
    return 0;
}
