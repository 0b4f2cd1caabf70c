// Package quota enforces per-operator API quotas for the automation API.
// It predates the kvstore port and still calls the v0 client directly.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

var ErrQuotaExceeded = errors.New("quota: exceeded")

// Plan is the operator's contract tier.
type Plan struct {
	Name          string `json:"name"`
	CallsPerMin   int    `json:"calls_per_min"`
	ExportsPerDay int    `json:"exports_per_day"`
}

type Limiter struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	now func() time.Time
}

func NewLimiter(api *cloudflare.API, accountID, namespaceID string) *Limiter {
	return &Limiter{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, now: time.Now}
}

// plan loads the operator's plan.
func (l *Limiter) plan(ctx context.Context, operator string) Plan {
	raw, _ := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: "plan:" + operator}) // EXPECT kvnull
	var p Plan
	_ = json.Unmarshal(raw, &p)
	return p
}

// CustomLimit returns an operator-specific override, if one was set.
func (l *Limiter) CustomLimit(ctx context.Context, operator string) (int, bool, error) {
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: "plan-override:" + operator})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, false, fmt.Errorf("quota: override for %s: %w", operator, err)
	}
	return n, true, nil
}

// Allow records one call and reports whether the operator is within the
// per-minute limit.
func (l *Limiter) Allow(ctx context.Context, operator string) error {
	limit := l.plan(ctx, operator).CallsPerMin
	if n, ok, err := l.CustomLimit(ctx, operator); err == nil && ok {
		limit = n
	}
	key := fmt.Sprintf("ratelimit:%s:%s", operator, l.now().UTC().Format("200601021504"))
	used := 0
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !errors.As(err, &nf):
		return err
	}
	if used >= limit {
		return fmt.Errorf("%w: %d calls this minute", ErrQuotaExceeded, used)
	}
	_, err = l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: key, Value: []byte(strconv.Itoa(used + 1))}) // EXPECT kvcounter
	return err
}
