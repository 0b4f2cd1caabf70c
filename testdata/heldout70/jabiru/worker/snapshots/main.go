//go:build js && wasm

// Command snapshots is the edge Worker that serves shared dashboard snapshot
// links (/s/<id>), their passcode sessions and magic links. Snapshots are
// written by the data source plugin into the SNAPSHOTS namespace; view counts
// of record live in D1 and rendered previews in R2.
package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

// kvNull is what GetString returns for a key that does not exist: the JS
// null rendered by syscall/js.
const kvNull = "<null>"

func missing(v string) bool { return v == kvNull }

type snapshot struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	ExpiresAt    time.Time       `json:"expiresAt"`
	PasscodeHash []byte          `json:"passcodeHash,omitempty"`
	Panels       json.RawMessage `json:"panels"`
}

type app struct {
	kv       *kv.Namespace
	db       *sql.DB
	previews *cloudflare.R2Bucket
}

func main() {
	ns, err := cloudflare.NewKVNamespace("SNAPSHOTS")
	if err != nil {
		panic(err)
	}
	conn, err := d1.OpenConnector("DB")
	if err != nil {
		panic(err)
	}
	previews, err := cloudflare.NewR2Bucket("PREVIEWS")
	if err != nil {
		panic(err)
	}
	a := &app{kv: ns, db: sql.OpenDB(conn), previews: previews}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{id}", a.view)
	mux.HandleFunc("GET /s/{id}/embed", a.embed)
	mux.HandleFunc("GET /s/{id}/preview.png", a.preview)
	mux.HandleFunc("POST /s/{id}/unlock", a.unlock)
	mux.HandleFunc("POST /s/{id}/slug", a.claimSlug)
	mux.HandleFunc("GET /m/{code}", a.redeem)
	mux.HandleFunc("POST /logout", a.logout)

	cron.ScheduleTaskNonBlock(a.sweep)
	workers.Serve(mux)
}

func (a *app) load(id string) (*snapshot, int, error) {
	raw, err := a.kv.GetString("snap:"+id, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, http.StatusBadGateway, err
	}
	if missing(raw) {
		return nil, http.StatusNotFound, nil
	}
	var s snapshot
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return &s, http.StatusOK, nil
}

func (a *app) view(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	snap, status, err := a.load(id)
	if snap == nil {
		if err != nil {
			http.Error(w, err.Error(), status)
		} else {
			http.NotFound(w, r)
		}
		return
	}
	if len(snap.PasscodeHash) > 0 {
		if _, ok := a.session(w, r, id); !ok {
			w.Header().Set("WWW-Authenticate", `Passcode realm="snapshot"`)
			http.Error(w, "this snapshot needs a passcode", http.StatusUnauthorized)
			return
		}
	}
	cloudflare.WaitUntil(func() { a.countView(id) })
	_ = a.kv.PutString("edge:last-hit", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, max-age=60")
	_ = json.NewEncoder(w).Encode(snap)
}

// embed serves the panels alone for iframes on status pages. Embeds of
// protected snapshots are not allowed.
func (a *app) embed(w http.ResponseWriter, r *http.Request) {
	raw, err := a.kv.GetString("snap:"+r.PathValue("id"), &kv.GetOptions{CacheTTL: 600})
	if err != nil {
		http.Error(w, "snapshot store unavailable", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var s snapshot
	if err := json.Unmarshal([]byte(raw), &s); err != nil || len(s.PasscodeHash) > 0 {
		http.Error(w, "not embeddable", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.Panels)
}

// countView bumps the badge counter shown next to the snapshot title; D1
// holds the count used for billing.
func (a *app) countView(id string) {
	raw, _ := a.kv.GetString("views:"+id, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(raw)
	_ = a.kv.PutString("views:"+id, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	_, _ = a.db.Exec(`INSERT INTO snapshot_views (id, views) VALUES (?, 1)
		ON CONFLICT (id) DO UPDATE SET views = views + 1`, id)
}

// preview serves the PNG the renderer keeps in R2. The renderer replaces it
// every 30 seconds while the source dashboard is live, so the resolved
// object name is only remembered that long.
func (a *app) preview(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	name, err := a.kv.GetString("preview:"+id, nil)
	if err != nil {
		http.Error(w, "preview index unavailable", http.StatusBadGateway)
		return
	}
	if missing(name) {
		head, herr := a.previews.Head("previews/" + id + ".png")
		if herr != nil || head == nil {
			http.NotFound(w, r)
			return
		}
		name = head.Key
		_ = a.kv.PutString("preview:"+id, name, &kv.PutOptions{
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		})
	}
	obj, err := a.previews.Get(name)
	if err != nil || obj == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("ETag", obj.HTTPETag)
	buf := make([]byte, 32<<10)
	for {
		n, rerr := obj.Body.Read(buf)
		if n > 0 {
			_, _ = w.Write(buf[:n])
		}
		if rerr != nil {
			return
		}
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`)

// claimSlug gives a snapshot a readable alias, /s/<slug>.
func (a *app) claimSlug(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	slug := r.FormValue("slug")
	if !slugPattern.MatchString(slug) {
		http.Error(w, "slug must be 3-63 lowercase letters, digits or dashes", http.StatusBadRequest)
		return
	}
	if snap, _, _ := a.load(id); snap == nil {
		http.NotFound(w, r)
		return
	}
	key := "slug:" + slug
	cur, err := a.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !missing(cur) {
		http.Error(w, "slug is taken", http.StatusConflict)
		return
	}
	if err := a.kv.PutString(key, id, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
