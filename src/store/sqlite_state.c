/* sqlite_state.c — the state derived from the log, in SQLite: the directory
 * (participants, groups, memberships), one row per logged message and one per
 * (message, recipient) holding the times of each step. Every row here can be
 * dropped and rebuilt by replaying the log (store_state_clear + apply), so it
 * is written only by the sequencer's apply hook or by a rebuild. Credentials
 * are kept here too but are not derived state: a rebuild leaves them alone. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "util/codec.h"

const char sqlite_state_schema[] =
    "CREATE TABLE IF NOT EXISTS participants(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    "  verifier TEXT NOT NULL, box_public TEXT NOT NULL, contacts TEXT NOT NULL,"
    "  status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS groups(id TEXT PRIMARY KEY, doc TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS group_members(grp TEXT NOT NULL, participant TEXT NOT NULL,"
    "  PRIMARY KEY(grp, participant)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS messages(idx INTEGER PRIMARY KEY, id TEXT NOT NULL,"
    "  grp TEXT NOT NULL, sender TEXT NOT NULL, kind TEXT NOT NULL, in_reply_to TEXT,"
    "  created INTEGER NOT NULL, deadline INTEGER, tlp TEXT NOT NULL,"
    "  payload_hash BLOB NOT NULL, payload_size INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS messages_by_group ON messages(grp, kind, idx);"
    "CREATE INDEX IF NOT EXISTS messages_by_sender ON messages(sender, idx);"
    "CREATE TABLE IF NOT EXISTS recipients(msg INTEGER NOT NULL, participant TEXT NOT NULL,"
    "  delivered INTEGER, acked INTEGER, ack_id TEXT, answered INTEGER, answer_id TEXT,"
    "  closed INTEGER, PRIMARY KEY(msg, participant)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS recipients_by_participant ON recipients(participant, msg);"
    "CREATE TABLE IF NOT EXISTS credentials(participant TEXT PRIMARY KEY, hash BLOB NOT NULL);";

enum {
    SS_PARTICIPANT_PUT, SS_PARTICIPANT_GET, SS_PARTICIPANT_LIST, SS_GROUP_PUT, SS_MEMBERS_DELETE,
    SS_MEMBER_ADD, SS_GROUP_GET, SS_GROUP_LIST, SS_MEMBER_OF, SS_MESSAGE_PUT, SS_RECIPIENT_PUT,
    SS_MESSAGE_GET, SS_RECIPIENTS_GET, SS_MARK_DELIVERED, SS_MARK_ACKED, SS_MARK_ANSWERED,
    SS_MARK_CLOSED, SS_LIST_RECIPIENT, SS_LIST_SENDER, SS_LIST_EITHER, SS_LIST_ANY, SS_CRED_PUT,
    SS_CRED_GET, SS_COUNT
};
_Static_assert(SS_COUNT <= SQLITE_STATE_STMTS, "raise SQLITE_STATE_STMTS");
const int sqlite_state_nstmts = SS_COUNT;

#define MESSAGE_COLS "m.id, m.idx, m.grp, m.sender, m.kind, m.in_reply_to, m.created, m.deadline," \
                     " (SELECT logged_at FROM entries WHERE idx = m.idx), m.tlp, m.payload_hash, m.payload_size"
/* Messages and recipients are keyed by log index, so appends write at the end
 * of their B-trees; a message id is found through entries.msg_id. */
#define BY_ID "(SELECT idx FROM entries WHERE msg_id = ?1)"
#define LIST_FILTER " m.idx > ?2 AND (?3 IS NULL OR m.grp = ?3) AND (?4 IS NULL OR m.kind = ?4)" \
                    " ORDER BY m.idx LIMIT ?5"

const char *const sqlite_state_sql[SS_COUNT] = {
    [SS_PARTICIPANT_PUT] =
        ("INSERT INTO participants(id, name, verifier, box_public, contacts, status, created_at, updated_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
        " verifier = excluded.verifier, box_public = excluded.box_public, contacts = excluded.contacts,"
        " status = excluded.status, updated_at = excluded.updated_at"),
    [SS_PARTICIPANT_GET] = ("SELECT name, verifier, box_public, contacts, status, created_at, updated_at"
                           " FROM participants WHERE id = ?1"),
    [SS_PARTICIPANT_LIST] =
        ("SELECT json_group_array(json_object('id', id, 'name', name, 'verifier', verifier,"
        " 'box_public', box_public, 'contacts', json(contacts), 'status', status))"
        " FROM (SELECT * FROM participants ORDER BY id)"),
    [SS_GROUP_PUT] = "INSERT OR REPLACE INTO groups(id, doc) VALUES(?1, ?2)",
    [SS_MEMBERS_DELETE] = "DELETE FROM group_members WHERE grp = ?1",
    [SS_MEMBER_ADD] = "INSERT OR IGNORE INTO group_members(grp, participant) VALUES(?1, ?2)",
    [SS_GROUP_GET] = "SELECT doc FROM groups WHERE id = ?1",
    [SS_GROUP_LIST] = ("SELECT '[' || COALESCE(group_concat(doc, ','), '') || ']'"
                      " FROM (SELECT doc FROM groups ORDER BY id)"),
    [SS_MEMBER_OF] = "SELECT 1 FROM group_members WHERE grp = ?1 AND participant = ?2",
    [SS_MESSAGE_PUT] = ("INSERT OR IGNORE INTO messages(id, idx, grp, sender, kind, in_reply_to, created,"
                       " deadline, tlp, payload_hash, payload_size)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
    [SS_RECIPIENT_PUT] = "INSERT OR IGNORE INTO recipients(msg, participant) VALUES(?1, ?2)",
    [SS_MESSAGE_GET] = ("SELECT " MESSAGE_COLS " FROM messages m WHERE m.idx = " BY_ID),
    [SS_RECIPIENTS_GET] = ("SELECT participant, delivered, acked, ack_id, answered, answer_id, closed"
                          " FROM recipients WHERE msg = " BY_ID " ORDER BY participant"),
    [SS_MARK_DELIVERED] = ("UPDATE recipients SET delivered = ?3"
                          " WHERE msg = " BY_ID " AND participant = ?2 AND delivered IS NULL"),
    [SS_MARK_ACKED] = ("UPDATE recipients SET acked = ?3, ack_id = ?4"
                      " WHERE msg = " BY_ID " AND participant = ?2 AND acked IS NULL"),
    [SS_MARK_ANSWERED] = ("UPDATE recipients SET answered = ?3, answer_id = ?4"
                         " WHERE msg = " BY_ID " AND participant = ?2 AND answered IS NULL"),
    [SS_MARK_CLOSED] = ("UPDATE recipients SET closed = ?3 WHERE msg = " BY_ID " AND participant = ?2"
                       " AND closed IS NULL"),
    [SS_LIST_RECIPIENT] = ("SELECT " MESSAGE_COLS " FROM messages m JOIN recipients r ON r.msg = m.idx"
                          " WHERE r.participant = ?1 AND" LIST_FILTER),
    [SS_LIST_SENDER] = ("SELECT " MESSAGE_COLS " FROM messages m WHERE m.sender = ?1 AND" LIST_FILTER),
    [SS_LIST_EITHER] = ("SELECT " MESSAGE_COLS " FROM messages m WHERE (m.sender = ?1 OR EXISTS("
                        "SELECT 1 FROM recipients r WHERE r.msg = m.idx AND r.participant = ?1)) AND" LIST_FILTER),
    [SS_LIST_ANY] = ("SELECT " MESSAGE_COLS " FROM messages m WHERE" LIST_FILTER),
    [SS_CRED_PUT] = "INSERT OR REPLACE INTO credentials(participant, hash) VALUES(?1, ?2)",
    [SS_CRED_GET] = "SELECT hash FROM credentials WHERE participant = ?1",
};

static sqlite_store *S(store *s)
{
    return (sqlite_store *)s;
}

static sqlite3_stmt *stmt(sqlite_store *s, int id)
{
    return sqlite_stmt_reset(s->state_st[id]);
}

static void bind_text(sqlite3_stmt *st, int col, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
}

static void bind_time(sqlite3_stmt *st, int col, int64_t ms)
{
    if (ms != 0)
        sqlite3_bind_int64(st, col, ms);
}

static void column_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int sq_participant_put(store *base, const store_participant *p, perr *err)
{
    sqlite_store *s = S(base);
    buf v, box;
    buf_init(&v);
    buf_init(&box);
    notekey_format_verifier(&p->keys.verifier, &v);
    buf_put_b64(&box, p->keys.box_pk, KEYFILE_BOX_BYTES);
    sqlite3_stmt *st = stmt(s, SS_PARTICIPANT_PUT);
    sqlite3_bind_text(st, 1, p->keys.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v.data, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, box.data, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->contacts[0] ? p->contacts : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->status[0] ? p->status : "active", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, p->updated_ms);
    int rc = sqlite_run(s, st, err, "participant put");
    buf_free(&v);
    buf_free(&box);
    return rc;
}

static int sq_participant_get(store *base, const char *id, store_participant *out, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_PARTICIPANT_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return perr_set(err, PERR_UNKNOWN_KEY, "participant %.40s is not registered", id);
        return sqlite_db_error(s, err, "participant get");
    }
    memset(out, 0, sizeof *out);
    snprintf(out->keys.id, sizeof out->keys.id, "%s", id);
    column_text(st, 0, out->name, sizeof out->name);
    column_text(st, 3, out->contacts, sizeof out->contacts);
    column_text(st, 4, out->status, sizeof out->status);
    out->created_ms = sqlite3_column_int64(st, 5);
    out->updated_ms = sqlite3_column_int64(st, 6);
    /* Written only from validated statements; still checked, as the file is outside our control. */
    size_t n = 0;
    const char *box = (const char *)sqlite3_column_text(st, 2);
    int bad = notekey_parse_verifier((const char *)sqlite3_column_text(st, 1), &out->keys.verifier, err) != 0 ||
              box == NULL || b64_decode_public(out->keys.box_pk, KEYFILE_BOX_BYTES, &n, box, strlen(box)) != 0 ||
              n != KEYFILE_BOX_BYTES;
    sqlite3_reset(st);
    return bad ? perr_set(err, PERR_IO, "participant %.40s: stored keys are corrupt", id) : 0;
}

static int sq_participant_list(store *base, buf *out, perr *err)
{
    sqlite_store *s = S(base);
    return sqlite_one_blob(s, stmt(s, SS_PARTICIPANT_LIST), out, err, "participant list");
}

static int sq_group_put(store *base, const char *id, const char *doc, const char *const *members, size_t n,
                        perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_GROUP_PUT);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
    if (sqlite_run(s, st, err, "group put") != 0)
        return -1;
    st = stmt(s, SS_MEMBERS_DELETE);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite_run(s, st, err, "group members") != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        st = stmt(s, SS_MEMBER_ADD);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, members[i], -1, SQLITE_STATIC);
        if (sqlite_run(s, st, err, "group member") != 0)
            return -1;
    }
    return 0;
}

static int sq_group_get(store *base, const char *id, buf *doc, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_GROUP_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return sqlite_one_blob(s, st, doc, err, "group");
}

static int sq_group_list(store *base, buf *out, perr *err)
{
    sqlite_store *s = S(base);
    return sqlite_one_blob(s, stmt(s, SS_GROUP_LIST), out, err, "group list");
}

static int sq_member_of(store *base, const char *group, const char *participant, int *yes, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_MEMBER_OF);
    sqlite3_bind_text(st, 1, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, participant, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_db_error(s, err, "membership");
    *yes = rc == SQLITE_ROW;
    return 0;
}

static int sq_message_put(store *base, const store_message *m, const char *const *recipients, size_t n,
                          perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_MESSAGE_PUT);
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)m->index);
    sqlite3_bind_text(st, 3, m->group, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, envelope_kind_name(m->kind), -1, SQLITE_STATIC);
    bind_text(st, 6, m->in_reply_to);
    sqlite3_bind_int64(st, 7, m->created_ms);
    bind_time(st, 8, m->deadline_ms);
    sqlite3_bind_text(st, 9, tlp_name(m->tlp), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, m->payload_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)m->payload_size);
    if (sqlite_run(s, st, err, "message put") != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        st = stmt(s, SS_RECIPIENT_PUT); /* msg_id is unique: the message is at m->index */
        sqlite3_bind_int64(st, 1, (sqlite3_int64)m->index);
        sqlite3_bind_text(st, 2, recipients[i], -1, SQLITE_STATIC);
        if (sqlite_run(s, st, err, "recipient put") != 0)
            return -1;
    }
    return 0;
}

static int read_message(sqlite3_stmt *st, store_message *m)
{
    memset(m, 0, sizeof *m);
    char kind[32], tlp[16];
    column_text(st, 0, m->id, sizeof m->id);
    m->index = (uint64_t)sqlite3_column_int64(st, 1);
    column_text(st, 2, m->group, sizeof m->group);
    column_text(st, 3, m->sender, sizeof m->sender);
    column_text(st, 4, kind, sizeof kind);
    column_text(st, 5, m->in_reply_to, sizeof m->in_reply_to);
    m->created_ms = sqlite3_column_int64(st, 6);
    m->deadline_ms = sqlite3_column_int64(st, 7);
    m->logged_ms = sqlite3_column_int64(st, 8);
    column_text(st, 9, tlp, sizeof tlp);
    m->payload_size = (uint64_t)sqlite3_column_int64(st, 11);
    if (sqlite3_column_bytes(st, 10) != 32 || envelope_kind_parse(kind, &m->kind) != 0 ||
        tlp_parse(tlp, &m->tlp) != 0)
        return -1;
    memcpy(m->payload_hash, sqlite3_column_blob(st, 10), 32);
    return 0;
}

static int sq_message_get(store *base, const char *id, store_message *out, perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_MESSAGE_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int bad = rc == SQLITE_ROW ? read_message(st, out) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return perr_set(err, PERR_NOT_FOUND, "message %.40s not found", id);
    if (rc != SQLITE_ROW)
        return sqlite_db_error(s, err, "message get");
    return bad ? perr_set(err, PERR_IO, "message %.40s: stored row is corrupt", id) : 0;
}

static int sq_recipients_get(store *base, const char *msg_id, store_recipient *out, size_t max, size_t *n,
                             perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_RECIPIENTS_GET);
    sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        store_recipient *r = &out[(*n)++];
        memset(r, 0, sizeof *r);
        column_text(st, 0, r->participant, sizeof r->participant);
        r->delivered_ms = sqlite3_column_int64(st, 1);
        r->acked_ms = sqlite3_column_int64(st, 2);
        column_text(st, 3, r->ack_id, sizeof r->ack_id);
        r->answered_ms = sqlite3_column_int64(st, 4);
        column_text(st, 5, r->answer_id, sizeof r->answer_id);
        r->closed_ms = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_db_error(s, err, "recipients");
}

static int sq_recipient_mark(store *base, const char *msg_id, const char *participant, enum store_mark m,
                             int64_t at_ms, const char *ref_id, perr *err)
{
    static const int which[] = {SS_MARK_DELIVERED, SS_MARK_ACKED, SS_MARK_ANSWERED, SS_MARK_CLOSED};
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, which[m]);
    sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, participant, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at_ms);
    if (m == MARK_ACKED || m == MARK_ANSWERED)
        bind_text(st, 4, ref_id);
    return sqlite_run(s, st, err, "recipient mark");
}

static int sq_message_list(store *base, const store_query *q, store_message *out, size_t *n, perr *err)
{
    static const int which[] = {SS_LIST_RECIPIENT, SS_LIST_SENDER, SS_LIST_EITHER, SS_LIST_ANY};
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, which[q->role]);
    bind_text(st, 1, q->participant);
    sqlite3_bind_int64(st, 2, q->has_after ? (sqlite3_int64)q->after_index : -1);
    bind_text(st, 3, q->group);
    if (q->kind >= 0)
        sqlite3_bind_text(st, 4, envelope_kind_name((enum envelope_kind)q->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)q->limit);
    int rc;
    *n = 0;
    while (*n < q->limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (read_message(st, &out[(*n)++]) != 0) {
            sqlite3_reset(st);
            return perr_set(err, PERR_IO, "a stored message row is corrupt");
        }
    if (*n == q->limit)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sqlite_db_error(s, err, "message list");
}

static int sq_state_clear(store *base, perr *err)
{
    return sqlite_exec(S(base), "DELETE FROM participants; DELETE FROM groups; DELETE FROM group_members;"
                                " DELETE FROM messages; DELETE FROM recipients; DELETE FROM objects;", err);
}

static int sq_credential_put(store *base, const char *participant, const uint8_t hash[32], perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_CRED_PUT);
    sqlite3_bind_text(st, 1, participant, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    return sqlite_run(s, st, err, "credential put");
}

static int sq_credential_get(store *base, const char *participant, uint8_t hash[32], perr *err)
{
    sqlite_store *s = S(base);
    sqlite3_stmt *st = stmt(s, SS_CRED_GET);
    sqlite3_bind_text(st, 1, participant, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
    if (ok)
        memcpy(hash, sqlite3_column_blob(st, 0), 32);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_db_error(s, err, "credential get");
    return ok ? 0 : perr_set(err, PERR_NOT_FOUND, "no credentials for %.40s", participant);
}

void sqlite_state_ops(struct store_ops *ops)
{
    ops->participant_put = sq_participant_put;
    ops->participant_get = sq_participant_get;
    ops->participant_list = sq_participant_list;
    ops->group_put = sq_group_put;
    ops->group_get = sq_group_get;
    ops->group_list = sq_group_list;
    ops->member_of = sq_member_of;
    ops->message_put = sq_message_put;
    ops->message_get = sq_message_get;
    ops->recipients_get = sq_recipients_get;
    ops->recipient_mark = sq_recipient_mark;
    ops->message_list = sq_message_list;
    ops->state_clear = sq_state_clear;
    ops->credential_put = sq_credential_put;
    ops->credential_get = sq_credential_get;
}
