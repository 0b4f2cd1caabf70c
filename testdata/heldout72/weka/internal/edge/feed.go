//go:build js && wasm

package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bits-and-blooms/bloom/v3"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	seenCapacity   = 20_000
	seenFPRate     = 0.01
	tagPageSize    = 50
	answersPerHour = 10
)

func seenKey(uid string) string { return "seen:u:" + uid }

// markSeen records that the signed-in user has seen question id and tells
// the client whether it had been seen before.
func (e *Edge) markSeen(w http.ResponseWriter, r *http.Request) {
	sess, ok := e.session(r)
	if !ok {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	id := r.PathValue("id")
	f := bloom.NewWithEstimates(seenCapacity, seenFPRate)
	rd, err := e.Pages.GetReader(seenKey(sess.UID), nil)
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if _, err := f.ReadFrom(rd); err != nil {
		f = bloom.NewWithEstimates(seenCapacity, seenFPRate)
	}
	before := f.TestAndAdd([]byte(id))
	if !before {
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err == nil {
			_ = e.Pages.PutReader(seenKey(sess.UID), &buf, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}) // EXPECT kvrace
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]bool{"seen": before})
}

// tagPage returns one page of a tag's question keys; the client passes the
// cursor back for the next page.
func (e *Edge) tagPage(w http.ResponseWriter, r *http.Request) {
	res, err := e.Pages.List(&kv.ListOptions{
		Prefix: "tagq:" + r.PathValue("tag") + ":",
		Limit:  tagPageSize,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": next})
}

// tagAll returns every question key of a tag, for the tag's RSS feed.
func (e *Edge) tagAll(w http.ResponseWriter, r *http.Request) {
	opts := &kv.ListOptions{Prefix: "tagq:" + r.PathValue("tag") + ":", Limit: 2000} // EXPECT kvlimits
	var names []string
	for {
		res, err := e.Pages.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "kv", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	_ = json.NewEncoder(w).Encode(names)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// postAnswer throttles anonymous answer posts per address, then forwards them.
func (e *Edge) postAnswer(w http.ResponseWriter, r *http.Request) {
	key := fmt.Sprintf("ratelimit:answer:%s:%s", clientIP(r), time.Now().UTC().Format("2006010215"))
	cur, err := e.Metrics.GetString(key, nil)
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	n := 0
	if cur != "" { // EXPECT kvnull
		n, _ = strconv.Atoi(cur)
	}
	if n >= answersPerHour {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if err := e.Metrics.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if !e.checkCSRF(r) {
		http.Error(w, "csrf", http.StatusForbidden)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, e.Origin+"/answers", r.Body)
	req.Header = r.Header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "origin", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	w.WriteHeader(res.StatusCode)
	cloudflare.WaitUntil(func() {
		_ = e.Pages.Delete(pageKey(parseUint(r.FormValue("question"))))
	})
}

func parseUint(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// EdgeSession is what the edge needs of a backend session.
type EdgeSession struct {
	UID  string `json:"-"`
	User uint64 `json:"uid"`
	CSRF string `json:"csrf"`
}

func (e *Edge) session(r *http.Request) (*EdgeSession, bool) {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil, false
	}
	raw, err := e.Auth.GetString("sess:"+c.Value, nil)
	if err != nil || raw == kvMissing {
		return nil, false
	}
	var s EdgeSession
	if json.Unmarshal([]byte(raw), &s) != nil {
		return nil, false
	}
	s.UID = strconv.FormatUint(s.User, 10)
	return &s, true
}

// checkCSRF accepts a form once per nonce.
func (e *Edge) checkCSRF(r *http.Request) bool {
	nonce := r.Header.Get("X-CSRF-Nonce")
	if nonce == "" {
		return false
	}
	v, err := e.Auth.GetString("csrf:"+nonce, nil)
	if err != nil || v == kvMissing {
		return false
	}
	return e.Auth.Delete("csrf:"+nonce) == nil // EXPECT kvsession
}

// me returns the signed-in user's profile card.
func (e *Edge) me(w http.ResponseWriter, r *http.Request) {
	sess, ok := e.session(r)
	if !ok {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	card, err := e.Metrics.GetString("rep:u:"+sess.UID+":card", &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, "kv", http.StatusBadGateway)
		return
	}
	if card == "" { // EXPECT kvnull
		card = "{}"
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(card))
}
