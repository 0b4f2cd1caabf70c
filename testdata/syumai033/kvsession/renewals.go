package kvsession

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Subscriber is a paying listener and the private feed token they hold.
type Subscriber struct {
	ID          string
	FeedToken   string
	PaidThrough time.Time
}

type paidFeeds struct{ ns *kv.Namespace }

// Renew writes the token's record again, over the one other locations
// still serve: the record's key comes from the subscriber given.
func (t *paidFeeds) Renew(sub Subscriber) error { // want Renew:"kvsession"
	body, _ := json.Marshal(map[string]any{"subscriber": sub.ID, "paid_through": sub.PaidThrough})
	return t.ns.PutString("feedtoken:"+sub.FeedToken, string(body), nil) // want `A token overwritten in KV \(rotated`
}

// Issue creates a token and the subscriber's record that names it.
func (t *paidFeeds) Issue(sub Subscriber) (Subscriber, error) {
	tok := rand.Text()
	if err := t.ns.PutString("feedtoken:"+tok, sub.ID, nil); err != nil {
		return sub, err
	}
	sub.FeedToken = tok
	body, _ := json.Marshal(sub)
	return sub, t.ns.PutString("subscriber:"+sub.ID, string(body), nil)
}

// Load reads a subscriber's record.
func (t *paidFeeds) Load(id string) (Subscriber, error) {
	var sub Subscriber
	raw, err := t.ns.GetString("subscriber:"+id, nil)
	if err != nil {
		return sub, err
	}
	return sub, json.Unmarshal([]byte(raw), &sub)
}

// Quiet: the record issued on creation is built from the event, and
// neither loaded nor changed on that case of the switch.
func (t *paidFeeds) handle(kind string, sub Subscriber) (err error) { // want handle:"kvsession judged inside"
	switch kind {
	case "created":
		sub, err = t.Issue(sub)
	case "reset":
		sub, err = t.Load(sub.ID)
	case "trial":
		sub.FeedToken = rand.Text()
	}
	return err
}

// Quiet: a token the upstream just issued, cached under its own key; the
// request the handler is given is no record of the program's.
func (t *paidFeeds) Refresh(w http.ResponseWriter, r *http.Request) {
	for _, c := range r.Cookies() {
		if c.Name == "feed" && c.MaxAge > 0 {
			_ = t.ns.PutString("feedtoken:"+c.Value, "1", &kv.PutOptions{ExpirationTTL: max(c.MaxAge, 60)})
		}
	}
}
