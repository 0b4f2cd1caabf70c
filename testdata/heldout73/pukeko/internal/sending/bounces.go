package sending

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// BounceTally is the bounce history of one address across all lists.
type BounceTally struct {
	Hard    int       `json:"hard"`
	Soft    int       `json:"soft"`
	Last    time.Time `json:"last,omitzero"`
	Reasons []string  `json:"reasons,omitzero"`
}

// Suppressed reports whether the address must no longer be mailed.
func (t BounceTally) Suppressed() bool { return t.Hard > 0 || t.Soft >= 5 }

// Bounces records DSNs reported by the MTA webhook.
type Bounces struct {
	KV *kvstore.Namespace
}

// Record adds one bounce for email and returns the updated tally.
func (b *Bounces) Record(ctx context.Context, email string, hard bool, reason string) (BounceTally, error) {
	key := keys.String(keys.Bounce{Email: email})
	var t BounceTally
	if err := b.KV.GetJSON(ctx, key, &t); err != nil && !kvstore.IsNotFound(err) {
		return t, err
	}
	if hard {
		t.Hard++
	} else {
		t.Soft++
	}
	t.Last = time.Now().UTC()
	t.Reasons = append(t.Reasons[max(len(t.Reasons)-4, 0):], reason)
	if err := b.KV.PutJSON(ctx, key, t, &kvstore.WriteOptions{TTL: new(90 * 24 * time.Hour)}); err != nil { // EXPECT kvrace|kvcounter
		return t, err
	}
	if t.Suppressed() {
		return t, b.KV.Put(ctx, "suppress:"+keys.EmailHash(email), []byte(reason), nil)
	}
	return t, nil
}

// ComplaintCounter accumulates feedback-loop complaints per campaign in
// memory and publishes the running totals for the dashboard.
type ComplaintCounter struct {
	KV *kvstore.Namespace

	mu      sync.Mutex
	pending map[keys.CampaignID]int
	totals  map[keys.CampaignID]int
}

// Add counts one complaint against campaign.
func (c *ComplaintCounter) Add(campaign keys.CampaignID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = make(map[keys.CampaignID]int)
	}
	c.pending[campaign]++
}

// Flush publishes every campaign that received complaints since the last
// flush. It runs once a minute.
func (c *ComplaintCounter) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := maps.Clone(c.pending)
	clear(c.pending)
	if c.totals == nil {
		c.totals = make(map[keys.CampaignID]int)
	}
	for id, n := range batch {
		c.totals[id] += n
	}
	totals := maps.Clone(c.totals)
	c.mu.Unlock()

	var errs []error
	for _, id := range slices.Sorted(maps.Keys(batch)) {
		val := strconv.AppendInt(nil, int64(totals[id]), 10)
		if err := c.KV.Put(ctx, "complaint-count:"+string(id), val, nil); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
