//go:build js && wasm

// Package privfeed serves private RSS feeds to paying subscribers. Tokens
// are issued by the backend (internal/feedtoken) and stored as
// ptok:<show>:<token>.
package privfeed

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/siskinfm/siskin/internal/edgekv"
)

// Record matches feedtoken.Record.
type Record struct {
	ShowID       string    `json:"show_id"`
	SubscriberID string    `json:"subscriber_id"`
	Email        string    `json:"email"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

type revokedList struct {
	Tokens []string `json:"tokens"`
}

type check struct {
	SubscriberID string    `json:"sub"`
	Until        time.Time `json:"until"`
}

// Upstream renders a private feed for a subscriber.
type Upstream func(ctx context.Context, show, subscriberID string) ([]byte, error)

// Gate validates tokens and serves the feed.
type Gate struct {
	tokens   edgekv.Base
	checks   edgekv.Base
	reminds  edgekv.Base
	upstream Upstream
}

// New returns a Gate over ns.
func New(ns *edgekv.Namespace, up Upstream) *Gate {
	return &Gate{
		tokens:   edgekv.Base{NS: ns, Prefix: "ptok:"},
		checks:   edgekv.Base{NS: ns, Prefix: "ptok-ok:"},
		reminds:  edgekv.Base{NS: ns, Prefix: "remind:"},
		upstream: up,
	}
}

// lookup returns the record of a token; ok is false for unknown tokens.
func (g *Gate) lookup(ctx context.Context, show, tok string) (rec Record, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return rec, false, err
	}
	raw, err := g.tokens.NS.GetString(g.tokens.Key(show+":"+tok), nil)
	if err != nil {
		return rec, false, err
	}
	if raw == "" { // EXPECT kvnull
		return rec, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return rec, false, err
	}
	return rec, true, nil
}

// ServeHTTP handles /private/<show>/<token>.xml.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/private/"), "/")
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	show, tok := parts[0], strings.TrimSuffix(parts[1], ".xml")
	ctx := r.Context()

	var c check
	ok, err := g.checks.GetJSON(ctx, g.checks.Key(show+":"+tok), &c)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok || time.Now().After(c.Until) {
		rec, found, err := g.lookup(ctx, show, tok)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if !found || time.Now().After(rec.ExpiresAt) {
			http.Error(w, "this feed link is no longer valid", http.StatusForbidden)
			return
		}
		var rev revokedList
		if _, err := g.tokens.GetJSON(ctx, "revoked:"+show, &rev); err != nil { // DEBATABLE kvsession
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if slices.Contains(rev.Tokens, tok) {
			http.Error(w, "this feed link was revoked", http.StatusForbidden)
			return
		}
		c = check{SubscriberID: rec.SubscriberID, Until: rec.ExpiresAt}
		ttl := min(time.Until(rec.ExpiresAt), 6*time.Hour) // EXPECT kvttl
		if err := g.checks.PutJSONFor(ctx, g.checks.Key(show+":"+tok), c, ttl); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		g.scheduleReminder(ctx, rec)
	}

	body, err := g.upstream(ctx, show, c.SubscriberID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(body)
}

// scheduleReminder leaves a key that expires a week before the
// subscription does; the backend's listing of remind: keys drives renewal mails.
func (g *Gate) scheduleReminder(ctx context.Context, rec Record) {
	until := time.Until(rec.ExpiresAt) - 7*24*time.Hour
	if until <= 0 {
		return
	}
	key := g.reminds.Key(rec.ShowID + ":" + rec.SubscriberID)
	_ = g.reminds.PutJSONFor(ctx, key, map[string]string{"email": rec.Email}, max(until, time.Minute))
}

// Subscribers handles GET /creator/<show>/subscribers: the number of
// active private feed links.
func (g *Gate) Subscribers(w http.ResponseWriter, r *http.Request) {
	show := strings.TrimPrefix(r.URL.Path, "/creator/")
	show = strings.TrimSuffix(show, "/subscribers")
	res, err := g.tokens.NS.List(&kv.ListOptions{Prefix: g.tokens.Key(show + ":")}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"active": len(res.Keys)})
}

// Export handles GET /creator/<show>/subscribers/export, up to 10 pages
// of token keys; the response says whether the export is partial.
func (g *Gate) Export(w http.ResponseWriter, r *http.Request) {
	show := r.URL.Query().Get("show")
	opts := edgekv.ListOptions{Prefix: g.tokens.Key(show + ":"), Limit: 1000}
	var names []string
	complete := false
	for page := 0; page < 10 && !complete; page++ {
		res, err := g.tokens.List(r.Context(), opts)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, opts.Prefix))
		}
		complete = res.ListComplete
		opts.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"tokens": names, "complete": complete})
}
