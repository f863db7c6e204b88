"""taxii_check.py — drives a running Parley node the way the OASIS taxii2-client
(v21) does: Accept/Content-Type "application/taxii+json;version=2.1", HTTP
Basic with the participant id and its token, trailing slashes, envelopes for
POST, and as_pages-style pagination (limit, then next while more). Prints one
"ok"/"FAIL" line per check. Usage: taxii_check.py URL TOKEN_DIR DATA_DIR"""
import base64, hashlib, json, sys, time, urllib.error, urllib.parse, urllib.request, uuid

URL, KEYS, DATA = sys.argv[1], sys.argv[2], sys.argv[3]
MT = "application/taxii+json;version=2.1"
fails = 0

def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    fails += 0 if cond else 1

def token(who):
    return open(f"{KEYS}/{who}.token").read().strip()

def call(method, path, who="US", body=None, params=None, headers=None, auth="basic"):
    url = URL + path + ("?" + urllib.parse.urlencode(params) if params else "")
    h = {"Accept": MT, "User-Agent": "taxii2-client/2.3.0"}
    if auth == "basic":
        h["Authorization"] = "Basic " + base64.b64encode(f"{who}:{token(who)}".encode()).decode()
    elif auth == "bearer":
        h["Authorization"] = "Bearer " + token(who)
    data = None
    if body is not None:
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        h["Content-Type"] = MT
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req) as r:
            raw = r.read()
            return r.status, dict(r.headers), (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, dict(e.headers), json.loads(raw)
        except ValueError:
            return e.code, dict(e.headers), raw

def content_type_ok(h):  # taxii2-client's valid_content_type for 2.1
    tokens = h.get("Content-Type", "").replace(" ", "").split(";")
    return all(t in tokens for t in MT.split(";")) and tokens[0] == "application/taxii+json"

def pages(path, who="US", per=100, **filters):
    params = dict(filters, limit=per)
    while True:
        st, h, env = call("GET", path, who, params=params)
        assert st == 200, (st, env)
        yield h, env
        if not env.get("more"):
            return
        params = dict(filters, limit=per, next=env["next"])

# --- discovery, API root, collections
st, h, disc = call("GET", "/taxii2/")
check(st == 200 and content_type_ok(h) and disc["api_roots"] == ["/taxii2/api/"], "discovery")
st, h, root = call("GET", "/taxii2/api/")
check(st == 200 and MT in root["versions"] and root["max_content_length"] > 10**6, "API root")
st, _, colls = call("GET", "/taxii2/api/collections/")
col = next(c for c in colls["collections"] if c["alias"] == "g-evidence")
check(col["can_read"] and col["can_write"] and col["id"] in f"/taxii2/api/collections/{col['id']}/", "collection listed for a member")
C = f"/taxii2/api/collections/{col['id']}/"
st, _, outsider = call("GET", "/taxii2/api/collections/", who="FR")
check(any(c["alias"] == "g-evidence" and c["can_read"] and not c["can_write"] for c in outsider["collections"]),
      "a non-member sees the collection read-only (for TLP:CLEAR)")
st, h, e = call("POST", C + "objects/", who="FR", body={"objects": []})
check(st == 403 and e.get("http_status") == "403", "a non-member cannot write: 403")
st, _, e = call("GET", "/taxii2/api/collections/00000000-0000-8000-8000-000000000000/")
check(st == 404, "unknown collection: 404")
st, _, _ = call("GET", C, auth=None)
check(st == 401, "no credentials: 401")
st, _, _ = call("GET", C, auth="bearer")
check(st == 200, "bearer token accepted")
st, _, e = call("GET", C, headers={"Accept": "application/json"})
check(st == 406 and e.get("http_status") == "406", "Accept: application/json → 406")
st, _, e = call("POST", C + "objects/", body={"objects": []}, headers={"Content-Type": "application/json"})
check(st == 415, "POST as application/json → 415")

# --- ingest the two ATT&CK for ICS releases: older, then newer
def post(bundle, who="US"):
    st, h, status = call("POST", C + "objects/", who, body={"objects": bundle["objects"]})
    return st, status

old = json.load(open(f"{DATA}/ics-attack-17.0.json"))
new = json.load(open(f"{DATA}/ics-attack-18.1.json"))
t0 = time.time(); st, s1 = post(old); t1 = time.time()
check(st == 202 and s1["status"] == "complete" and s1["success_count"] == len(old["objects"]) and s1["failure_count"] == 0,
      f"ATT&CK ICS 17.0: {s1['success_count']}/{len(old['objects'])} accepted in {t1-t0:.2f}s")
st, s2 = post(new)
check(st == 202 and s2["success_count"] == len(new["objects"]), f"ATT&CK ICS 18.1: {s2['success_count']}/{len(new['objects'])} accepted")
st, _, stat = call("GET", f"/taxii2/api/status/{s2['id']}/")
check(st == 200 and stat["id"] == s2["id"] and stat["total_count"] == stat["success_count"] + stat["failure_count"] + stat["pending_count"],
      "status resource readable and consistent")
st, _, _ = call("GET", f"/taxii2/api/status/{s2['id']}/", who="RU")
check(st == 404, "another participant cannot read my status")

# --- pagination (as_pages): every latest version exactly once, date headers in order
ids_all = {o["id"] for o in old["objects"]} | {o["id"] for o in new["objects"]}
seen, first_last_ok, prev_last = [], True, ""
for h, env in pages(C + "objects/", per=100):
    seen += [o["id"] for o in env.get("objects", [])]
    if env.get("objects"):
        f, l = h.get("X-TAXII-Date-Added-First"), h.get("X-TAXII-Date-Added-Last")
        first_last_ok &= bool(f and l and f <= l and f > prev_last)
        prev_last = l
check(len(seen) == len(set(seen)) == len(ids_all), f"pagination: {len(seen)} objects, each once (want {len(ids_all)})")
check(first_last_ok, "X-TAXII-Date-Added-First/Last advance page by page")
manifest = [m for _, env in pages(C + "manifest/", per=500) for m in env.get("objects", [])]
check(len(manifest) == len(ids_all) and all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest), "manifest pages")

# --- versions and filters
changed = next(o for o in new["objects"] if any(p["id"] == o["id"] and p.get("modified") != o.get("modified") for p in old["objects"]))
oldv = next(p for p in old["objects"] if p["id"] == changed["id"])
st, _, vers = call("GET", C + f"objects/{changed['id']}/versions/")
check(st == 200 and vers["versions"] == sorted([oldv["modified"], changed["modified"]], key=lambda s: s), f"versions of {changed['id']}")
def one(**p):
    st, _, env = call("GET", C + f"objects/{changed['id']}/", params=p)
    return [o.get("modified") for o in env.get("objects", [])] if st == 200 else st
check(one() == [changed["modified"]], "object: latest by default")
check(one(**{"match[version]": "first"}) == [oldv["modified"]], "match[version]=first")
check(sorted(one(**{"match[version]": "all"})) == sorted([oldv["modified"], changed["modified"]]), "match[version]=all")
check(one(**{"match[version]": oldv["modified"]}) == [oldv["modified"]], "match[version]=<timestamp>")
check(one(**{"match[spec_version]": "2.0"}) == 404, "match[spec_version]=2.0 finds nothing")
st, _, env = call("GET", C + "objects/", params={"match[type]": "malware,campaign", "limit": 1000})
types = {o["type"] for o in env["objects"]}
want = {o["id"] for o in old["objects"] + new["objects"] if o["type"] in ("malware", "campaign")}
check(types == {"malware", "campaign"} and len(env["objects"]) == len(want), f"match[type]: {len(env['objects'])} malware/campaign")
two = [o["id"] for o in new["objects"][:2]]
st, _, env = call("GET", C + "objects/", params={"match[id]": ",".join(two)})
check(sorted(o["id"] for o in env["objects"]) == sorted(two), "match[id] with two ids")
st, h, env = call("GET", C + "objects/", params={"limit": 5})
st, _, after = call("GET", C + "objects/", params={"added_after": h["X-TAXII-Date-Added-Last"], "limit": 5})
check(after["objects"][0]["id"] not in [o["id"] for o in env["objects"]], "added_after continues after the page")

# --- invalid STIX: rejected one by one with reasons; nothing invalid stored
base = {"type": "indicator", "spec_version": "2.1", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "name": "x", "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
def ind(**kw):
    o = dict(base, id=f"indicator--{uuid.uuid4()}"); o.update(kw)
    return {k: v for k, v in o.items() if v is not None}
bad = [
    ind(type=None), ind(id=None), ind(id="indicator--not-a-uuid"), ind(id=f"malware--{uuid.uuid4()}"),
    ind(id=f"indicator--{str(uuid.uuid4()).upper()}"), ind(spec_version=None), ind(spec_version="2.0"),
    ind(created=None), ind(modified=None), ind(created="2026-01-01"), ind(modified="yesterday"),
    ind(created="2026-01-02T00:00:00Z", modified="2026-01-01T00:00:00Z"), ind(created="2026-13-01T00:00:00Z"),
    ind(created="2026-01-01T00:00:00+01:00"), ind(created_by_ref="identity--bad"),
    ind(created_by_ref=f"malware--{uuid.uuid4()}"), ind(object_marking_refs=[]), ind(object_marking_refs=["tlp-red"]),
    ind(object_marking_refs=[f"identity--{uuid.uuid4()}"]), ind(pattern=None), ind(pattern_type=None),
    ind(valid_from=None), ind(revoked="no"), ind(labels="a"), ind(external_references=[{"url": "x"}]),
    ind(sample_refs=[]), ind(sample_ref="x"), ind(**{"Bad-Name": 1}), ind(**{"ab": 1}), ind(**{"x_é": 1}),
    {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{uuid.uuid4()}", "created": "2026-01-01T00:00:00Z",
     "modified": "2026-01-01T00:00:00Z", "source_ref": f"malware--{uuid.uuid4()}"},
    {"type": "sighting", "spec_version": "2.1", "id": f"sighting--{uuid.uuid4()}", "created": "2026-01-01T00:00:00Z",
     "modified": "2026-01-01T00:00:00Z"},
    {"type": "X-Upper", "spec_version": "2.1", "id": f"X-Upper--{uuid.uuid4()}", "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z"},
    {"type": "a--b", "id": f"a--b--{uuid.uuid4()}"}, {"type": "xy", "id": f"xy--{uuid.uuid4()}"},
    {"type": "malware", "spec_version": "2.1", "id": f"malware--{uuid.uuid4()}", "created": "2026-01-01T00:00:00Z",
     "modified": "2026-01-01T00:00:00Z", "is_family": True, "kill_chain_phases": [{"x_ref": "nope"}]},
    "a string", 42, [], None,
]
good = [ind(), {"type": "ipv4-addr", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "198.51.100.7"},
        {"type": "x-parley-custom", "spec_version": "2.1", "id": f"x-parley-custom--{uuid.uuid4()}",
         "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "x_score": 7}]
st, _, s = call("POST", C + "objects/", body={"objects": bad + good})
check(st == 202 and s["failure_count"] == len(bad) and s["success_count"] == len(good),
      f"{len(bad)} malformed objects rejected, {len(good)} valid ones in the same envelope kept")
check(all(f.get("message") for f in s["failures"]), "each rejection carries a reason")
for f in s["failures"][:3]:
    print("     e.g.", f["id"][:40], "—", f["message"])
stored_bad = 0
for o in bad:
    if isinstance(o, dict) and isinstance(o.get("id"), str) and "--" in o["id"]:
        st, _, _ = call("GET", C + f"objects/{urllib.parse.quote(o['id'])}/")
        stored_bad += st == 200
check(stored_bad == 0, "no malformed object is readable afterwards")
st, _, _ = call("POST", C + "objects/", body=b"{not json")
check(st == 400, "malformed JSON body → 400")

# --- TLP: each label with readers inside and outside its audience
TLP = {"CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
       "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
       "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "RED-1.0": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}
marked = {label: ind(object_marking_refs=[mid]) for label, mid in TLP.items()}
marked["RED-named"] = ind(object_marking_refs=[TLP["RED"]], x_parley_recipients=["RU"])
marked["unmarked"] = ind()
st, _, s = call("POST", C + "objects/", body={"objects": list(marked.values())})
check(s["success_count"] == len(marked), "marked objects accepted")
def can(who, label):
    st, _, _ = call("GET", C + f"objects/{marked[label]['id']}/", who=who)
    return st == 200
check(can("RU", "CLEAR") and can("FR", "CLEAR"), "TLP:CLEAR: members and a non-member read it")
for label in ("GREEN", "AMBER", "AMBER+STRICT", "unmarked"):
    check(can("RU", label) and can("US", label) and not can("FR", label), f"TLP:{label}: members read it, a non-member does not")
fr = [o["id"] for _, env in pages(C + "objects/", who="FR", per=1000) for o in env.get("objects", [])]
check(fr == [marked["CLEAR"]["id"]], "a non-member's listing holds only the TLP:CLEAR object")
check(can("US", "RED") and not can("RU", "RED") and not can("FR", "RED"), "TLP:RED: only its poster")
check(can("US", "RED-1.0") and not can("RU", "RED-1.0"), "TLP 1.0 RED id recognised")
check(can("US", "RED-named") and can("RU", "RED-named") and not can("DE", "RED-named"), "TLP:RED with recipients: poster and RU, not DE")
listed = [o["id"] for _, env in pages(C + "objects/", who="DE", per=1000) for o in env.get("objects", [])]
check(marked["RED"]["id"] not in listed and marked["RED-named"]["id"] not in listed and marked["AMBER"]["id"] in listed,
      "RED objects are absent from another member's listing")

# --- evidence in the log: a receipt that proves this object was shared
st, _, ev = call("GET", f"/api/v1/evidence/{marked['AMBER']['id']}", params={"group": "g-evidence"}, auth="bearer")
check(st == 200 and ev["receipt"]["entry"]["evidence"]["object"] == marked["AMBER"]["id"], "evidence receipt served")
json.dump(ev, open(f"{KEYS}/evidence.json", "w"))
st, _, _ = call("GET", f"/api/v1/evidence/{marked['RED']['id']}", who="RU", params={"group": "g-evidence"}, auth="bearer")
check(st == 404, "no evidence receipt for an object one may not read")

# --- DELETE: only the poster (or a coordinator)
victim = marked["GREEN"]["id"]
st, _, _ = call("DELETE", C + f"objects/{victim}/", who="RU")
check(st == 403, "another member may not delete my object")
st, _, _ = call("DELETE", C + f"objects/{victim}/")
check(st == 200, "the poster deletes it")
st, _, _ = call("GET", C + f"objects/{victim}/")
check(st == 404, "a deleted object is gone")
sys.exit(1 if fails else 0)
