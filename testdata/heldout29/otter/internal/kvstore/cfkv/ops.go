package cfkv

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/otter/internal/keys"
)

// RateLimiter enforces a per-client request budget per minute.
type RateLimiter struct {
	c     *Client
	ns    string
	limit int
	now   func() time.Time
}

// RateLimiter returns a limiter allowing perMinute requests per client.
func (c *Client) RateLimiter(perMinute int) *RateLimiter {
	return &RateLimiter{c: c, ns: c.namespaceFor("ratelimit"), limit: perMinute, now: time.Now}
}

// Allow records one request from client and reports whether it is within the budget.
func (r *RateLimiter) Allow(ctx context.Context, client string) (bool, error) {
	key := keys.RateWindow(client, r.now())
	raw, err := r.c.api.GetWorkersKV(ctx, r.c.account, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: key})
	if err != nil && !isNotFound(err) {
		return true, fmt.Errorf("rate window: %w", err)
	}
	n, _ := strconv.Atoi(string(raw))
	if n >= r.limit {
		return false, nil
	}
	_, err = r.c.api.WriteWorkersKVEntries(ctx, r.c.account, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: r.ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: strconv.Itoa(n + 1), ExpirationTTL: 120}},
	})
	return true, err
}

// noticeWindow is how long a maintenance notice stays visible.
const noticeWindow = 45 * time.Second

// PublishNotice shows a short maintenance notice in the customer portal.
func (c *Client) PublishNotice(ctx context.Context, text string) error {
	_, err := c.api.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: c.namespaceFor("config"),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "notice:current",
			Value:      text,
			Expiration: int(time.Now().Add(noticeWindow).Unix()), // EXPECT kvttl
		}},
	})
	return err
}

// Flags are the feature flags of the platform.
type Flags struct {
	PortalV2       bool `json:"portal_v2"`
	InstantPayouts bool `json:"instant_payouts"`
}

// LoadFlags reads the feature flags document.
func (c *Client) LoadFlags(ctx context.Context) (Flags, error) {
	raw, _ := c.api.GetWorkersKV(ctx, c.account, cloudflare.GetWorkersKVParams{NamespaceID: c.namespaceFor("config"), Key: "flags"}) // EXPECT kvnull
	var f Flags
	if err := json.Unmarshal(raw, &f); err != nil {
		return Flags{}, fmt.Errorf("decode flags: %w", err)
	}
	return f, nil
}
