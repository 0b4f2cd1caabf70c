package apikey

import (
	"context"
	"errors"
	"time"

	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var ErrQuotaExceeded = errors.New("apikey: monthly quota exceeded")

// UsageSink receives billable usage. Production writes to D1, which is the
// billing source of truth; the KV counter below only gates requests.
type UsageSink interface {
	Add(ctx context.Context, keyID, month string, n int64) error
}

type usage struct {
	Count   int64     `json:"count"`
	Updated time.Time `json:"updated"`
}

// Quota tracks monthly request counts per key.
type Quota struct {
	kv   kvport.Store
	sink UsageSink
	now  func() time.Time
}

func NewQuota(kv kvport.Store, sink UsageSink) *Quota {
	return &Quota{kv: kv, sink: sink, now: time.Now}
}

func monthOf(t time.Time) string { return t.UTC().Format("200601") }

// QuotaKey is exported for the monthly reset job.
func QuotaKey(keyID string, t time.Time) string { return "quota:" + monthOf(t) + ":" + keyID }

// Charge counts one request against k's monthly quota.
func (q *Quota) Charge(ctx context.Context, k *Key) error {
	now := q.now().UTC()
	key := QuotaKey(k.ID, now)
	u, err := repo.GetJSON[usage](ctx, q.kv, key)
	if err != nil && !kvport.IsNotFound(err) {
		return err
	}
	if k.MonthlyQuota > 0 && u.Count >= k.MonthlyQuota {
		return ErrQuotaExceeded
	}
	u.Count++
	u.Updated = now
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := repo.PutJSON(ctx, q.kv, key, u, // EXPECT kvcounter
		kvport.ExpireAtUnix(monthStart.AddDate(0, 2, 0).UnixMilli())); err != nil { // EXPECT kvttl
		return err
	}
	if q.sink != nil {
		return q.sink.Add(ctx, k.ID, monthOf(now), 1)
	}
	return nil
}
