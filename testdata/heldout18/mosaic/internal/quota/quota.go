// Package quota meters per-user storage against plan allowances.
package quota

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/storage"
)

// LedgerMeter keeps usage in the D1 quotas table.
type LedgerMeter struct {
	db *sql.DB
}

// NewLedgerMeter returns a meter over the quotas table.
func NewLedgerMeter(db *sql.DB) *LedgerMeter { return &LedgerMeter{db: db} }

// Reserve adds bytes to the owner's usage if it stays within the plan.
func (m *LedgerMeter) Reserve(ctx context.Context, owner string, bytes int64) error {
	res, err := m.db.ExecContext(ctx,
		`UPDATE quotas SET used_bytes = used_bytes + ?1, updated_at = ?2
		 WHERE user_id = ?3 AND used_bytes + ?1 <= quota_bytes`,
		bytes, time.Now().Unix(), owner)
	if err != nil {
		return fmt.Errorf("quota: reserve: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return domain.ErrOverQuota
	}
	return nil
}

// Release gives bytes back.
func (m *LedgerMeter) Release(ctx context.Context, owner string, bytes int64) error {
	_, err := m.db.ExecContext(ctx,
		`UPDATE quotas SET used_bytes = MAX(used_bytes - ?1, 0), updated_at = ?2 WHERE user_id = ?3`,
		bytes, time.Now().Unix(), owner)
	if err != nil {
		return fmt.Errorf("quota: release: %w", err)
	}
	return nil
}

// StoreMeter is the meter of the legacy free tier, whose usage predates
// the quotas table and is kept in the key-value store.
type StoreMeter struct {
	st    storage.Store
	limit func(ctx context.Context, owner string) (int64, error)
}

// NewStoreMeter returns a meter over st; limit reports an owner's allowance.
func NewStoreMeter(st storage.Store, limit func(ctx context.Context, owner string) (int64, error)) *StoreMeter {
	return &StoreMeter{st: st, limit: limit}
}

func usageKey(owner string) string { return "quota:used:" + owner }

func (m *StoreMeter) adjust(ctx context.Context, owner string, delta int64, max int64) error {
	var cur int64
	raw, err := m.st.Get(ctx, usageKey(owner))
	if err == nil {
		cur, err = strconv.ParseInt(string(raw), 10, 64)
	}
	if err != nil && !storage.IsNotFound(err) {
		return fmt.Errorf("quota: read usage: %w", err)
	}
	next := cur + delta
	if next < 0 {
		next = 0
	}
	if max > 0 && next > max {
		return domain.ErrOverQuota
	}
	return m.st.Put(ctx, usageKey(owner), []byte(strconv.FormatInt(next, 10)), storage.PutOptions{}) // EXPECT kvcounter
}

// Reserve adds bytes to the owner's usage.
func (m *StoreMeter) Reserve(ctx context.Context, owner string, bytes int64) error {
	allowed, err := m.limit(ctx, owner)
	if err != nil {
		return err
	}
	return m.adjust(ctx, owner, bytes, allowed)
}

// Release gives bytes back.
func (m *StoreMeter) Release(ctx context.Context, owner string, bytes int64) error {
	return m.adjust(ctx, owner, -bytes, 0)
}

// PlanSource loads plans from the billing database.
type PlanSource interface {
	PlanFor(ctx context.Context, owner string) (domain.Plan, bool, error)
}

// PlanCache is a read-through cache of each user's plan.
type PlanCache struct {
	st  storage.Store
	src PlanSource
	ttl time.Duration
}

// NewPlanCache returns a cache whose entries live for ttl.
func NewPlanCache(st storage.Store, src PlanSource, ttl time.Duration) *PlanCache {
	return &PlanCache{st: st, src: src, ttl: ttl}
}

var freePlan = domain.Plan{Name: "free", QuotaBytes: 2 << 30, MaxAlbums: 20}

func (c *PlanCache) remember(ctx context.Context, key string, p domain.Plan, ttl time.Duration) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, key, raw, storage.PutOptions{TTL: ttl})
}

// Plan returns the owner's plan, falling back to the free plan for users
// the billing database does not know yet.
func (c *PlanCache) Plan(ctx context.Context, owner string) (domain.Plan, error) {
	key := "plan:" + owner
	raw, err := c.st.Get(ctx, key)
	if err == nil {
		var p domain.Plan
		return p, json.Unmarshal(raw, &p)
	}
	if !storage.IsNotFound(err) {
		return domain.Plan{}, err
	}
	p, ok, err := c.src.PlanFor(ctx, owner)
	if err != nil {
		return domain.Plan{}, err
	}
	if !ok {
		if err := c.remember(ctx, key, freePlan,
			45*time.Second, // EXPECT kvttl
		); err != nil {
			return domain.Plan{}, err
		}
		return freePlan, nil
	}
	return p, c.remember(ctx, key, p, c.ttl)
}

// Limit adapts the cache to StoreMeter's limit function.
func (c *PlanCache) Limit(ctx context.Context, owner string) (int64, error) {
	p, err := c.Plan(ctx, owner)
	return p.QuotaBytes, err
}

// SQLPlanSource reads plans from the billing tables.
type SQLPlanSource struct{ DB *sql.DB }

// PlanFor implements PlanSource.
func (s SQLPlanSource) PlanFor(ctx context.Context, owner string) (domain.Plan, bool, error) {
	var p domain.Plan
	err := s.DB.QueryRowContext(ctx,
		`SELECT p.name, p.quota_bytes, p.max_albums
		 FROM subscriptions s JOIN plans p ON p.name = s.plan WHERE s.user_id = ?1`, owner).
		Scan(&p.Name, &p.QuotaBytes, &p.MaxAlbums)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Plan{}, false, nil
	}
	return p, err == nil, err
}
