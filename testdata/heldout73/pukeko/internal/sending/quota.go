// Package sending is the send pipeline: per-sender daily quotas, per-domain
// throttles, bounce and complaint bookkeeping, and the campaign send loop.
package sending

import (
	"context"
	"errors"
	"strconv"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// ErrQuotaExceeded is returned when a sender has used up today's allowance.
var ErrQuotaExceeded = errors.New("sending: daily quota exceeded")

// DailyQuota caps how many messages one sender may send per UTC day.
type DailyQuota struct {
	KV    *kvstore.Namespace
	Limit int
}

// endOfDay is midnight UTC after t.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// endOfWeek is the Monday midnight UTC after t.
func endOfWeek(t time.Time) time.Time {
	eod := endOfDay(t)
	return eod.AddDate(0, 0, (8-int(eod.Weekday()))%7)
}

// Consume reserves n sends for sender and returns how many are left today.
func (q *DailyQuota) Consume(ctx context.Context, sender string, n int) (int, error) {
	now := time.Now()
	key := keys.String(keys.Quota{Sender: sender, Day: now})
	used := 0
	raw, err := q.KV.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return 0, err
		}
	case kvstore.IsNotFound(err):
	default:
		return 0, err
	}
	if used+n > q.Limit {
		return max(q.Limit-used, 0), ErrQuotaExceeded
	}
	err = q.KV.Put(ctx, key, strconv.AppendInt(nil, int64(used+n), 10), &kvstore.WriteOptions{ // EXPECT kvcounter|kvrace
		TTL: new(time.Until(endOfDay(now))), // EXPECT kvttl
	})
	return q.Limit - used - n, err
}

// Remaining reports today's allowance without reserving any of it.
func (q *DailyQuota) Remaining(ctx context.Context, sender string) (int, error) {
	raw, err := q.KV.Get(ctx, keys.String(keys.Quota{Sender: sender, Day: time.Now()}))
	if kvstore.IsNotFound(err) {
		return q.Limit, nil
	}
	if err != nil {
		return 0, err
	}
	used, err := strconv.Atoi(string(raw))
	return q.Limit - used, err
}

// WeeklyDigestLock records that the weekly digest of list went out, so that a
// retried job does not send it twice. The record lives until next Monday.
func (q *DailyQuota) WeeklyDigestLock(ctx context.Context, list keys.ListID, campaign keys.CampaignID) error {
	ttl := max(time.Until(endOfWeek(time.Now())), time.Minute)
	return q.KV.Put(ctx, "digest:"+string(list), []byte(campaign), &kvstore.WriteOptions{TTL: &ttl})
}
