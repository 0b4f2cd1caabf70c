// Package ratelimit enforces per-plan request rates and monthly quotas.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/storage"
	"example.com/meadow/internal/tenant"
)

// ErrQuotaExceeded is returned when a tenant has used its monthly quota.
var ErrQuotaExceeded = errors.New("ratelimit: monthly quota exceeded")

func readInt(ctx context.Context, st storage.Store, key string) (int, error) {
	b, err := st.Get(ctx, key)
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Limiter counts requests per client IP in fixed windows.
type Limiter struct {
	Store  storage.Store
	Window time.Duration
	Plans  map[config.Plan]config.Quota
	Clock  func() time.Time
}

func (l *Limiter) bucketKey(ip string) string {
	win := int64(l.Window / time.Second)
	if win <= 0 {
		win = 60
	}
	bucket := l.Clock().Unix() / win
	return strings.Join([]string{"rl", ip, strconv.FormatInt(bucket, 10)}, ":")
}

// Allow reports whether ip may make another request under plan.
func (l *Limiter) Allow(ctx context.Context, plan config.Plan, ip string) (bool, error) {
	limit := l.Plans[plan].RequestsPerMinute
	if limit <= 0 {
		return true, nil
	}
	key := l.bucketKey(ip)
	n, err := readInt(ctx, l.Store, key)
	if err != nil {
		return false, err
	}
	if n >= limit {
		return false, nil
	}
	if err := l.Store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{TTL: max(2*l.Window, time.Minute)}); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Quotas tracks monthly usage per tenant.
type Quotas struct {
	Store storage.Store
	Plans map[config.Plan]config.Quota
	Clock func() time.Time
}

// ConsumeGrades charges n graded submissions to tenantID's month.
func (q *Quotas) ConsumeGrades(ctx context.Context, tenantID string, plan config.Plan, n int) error {
	st := tenant.Scope(q.Store, tenantID)
	key := "quota/grades/" + q.Clock().UTC().Format("2006-01")
	used, err := readInt(ctx, st, key)
	if err != nil {
		return err
	}
	if used+n > q.Plans[plan].MonthlyGrades {
		return ErrQuotaExceeded
	}
	return st.Put(ctx, key, []byte(strconv.Itoa(used+n)), storage.PutOptions{TTL: 40 * 24 * time.Hour}) // EXPECT kvcounter
}
