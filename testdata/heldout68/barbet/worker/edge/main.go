//go:build js && wasm

// Command edge is barbet's Cloudflare Worker. It serves signed download links
// from R2 and checks upload tickets before the backend sees the bytes.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/r2"
)

// kvNull is what GetString returns for a missing key.
const kvNull = "<null>"

type link struct {
	ID        string    `json:"id"`
	UploadID  string    `json:"upload_id"`
	Rendition string    `json:"rendition"`
	ExpiresAt time.Time `json:"expires_at"`
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/d/", download)
	mux.HandleFunc("/t/", tickets)
	mux.HandleFunc("/_edge/blocks", listBlocks)
	workers.ServeNonBlock(mux)
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}

func edgeKV() (*kv.Namespace, error) { return kv.NewNamespace("BARBET_EDGE") }

func validSig(id string, exp int64, sig string) bool {
	m := hmac.New(sha256.New, []byte(cloudflare.Getenv("LINK_SECRET")))
	fmt.Fprintf(m, "%s.%d", id, exp)
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// download serves GET /d/{id}?exp=…&sig=….
func download(w http.ResponseWriter, r *http.Request) {
	ns, err := edgeKV()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/d/")
	ip := r.Header.Get("CF-Connecting-IP")
	exp, _ := strconv.ParseInt(r.URL.Query().Get("exp"), 10, 64)
	if !validSig(id, exp, r.URL.Query().Get("sig")) {
		recordFailure(ns, ip)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if time.Now().Unix() > exp {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if b, err := ns.GetString("block/ip/"+ip, &kv.GetOptions{CacheTTL: 10}); err == nil && b != kvNull { // EXPECT kvttl
		http.Error(w, "blocked", http.StatusForbidden)
		return
	}
	if rv, err := ns.GetString("revoked/"+id, nil); err != nil || rv != kvNull { // DEBATABLE kvsession
		http.Error(w, "link revoked", http.StatusGone)
		return
	}
	if !allow(ns, ip) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}

	raw, err := ns.GetString("link/"+id, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var l link
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		http.Error(w, "corrupt link", http.StatusInternalServerError)
		return
	}

	bucket, err := r2.NewBucket("BARBET_MEDIA")
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	obj, err := bucket.Get(l.UploadID + "/" + l.Rendition + ".mp4")
	if err != nil || obj == nil {
		http.NotFound(w, r)
		return
	}

	if err := ns.PutString("edge/last-download", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		fmt.Println("last download not stamped:", err)
	}
	cloudflare.WaitUntil(func() { tally(id) })

	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Length", strconv.Itoa(obj.Size))
	w.Header().Set("ETag", obj.HTTPETag)
	_, _ = io.Copy(w, obj.Body)
}

// tally counts a download in D1, where increments are atomic.
func tally(id string) {
	c, err := d1.OpenConnector("BARBET_DB")
	if err != nil {
		return
	}
	db := sql.OpenDB(c)
	_, _ = db.ExecContext(context.Background(),
		`INSERT INTO link_downloads (id, n) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET n = n + 1`, id)
}

// allow admits 300 downloads per client IP per minute.
func allow(ns *kv.Namespace, ip string) bool {
	key := "rl/" + ip + "/" + strconv.FormatInt(time.Now().Unix()/60, 10)
	v, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return true
	}
	n, _ := strconv.Atoi(v)
	if n >= 300 {
		return false
	}
	_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
	return true
}

// recordFailure notes a bad signature; the abuse scanner reads these.
func recordFailure(ns *kv.Namespace, ip string) {
	key := "attempts/sig/" + ip
	v, err := ns.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if v != kvNull {
		n, _ = strconv.Atoi(v)
	}
	_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter|kvrace
}

// listBlocks returns the IP blocklist for the support tool.
func listBlocks(w http.ResponseWriter, r *http.Request) {
	ns, err := edgeKV()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "block/ip/",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, "listing failed", http.StatusBadGateway)
		return
	}
	out := make(map[string]json.RawMessage, len(res.Keys))
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || v == kvNull {
			continue
		}
		out[strings.TrimPrefix(k.Name, "block/ip/")] = json.RawMessage(v)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
