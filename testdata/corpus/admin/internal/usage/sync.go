package usage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
	"example.com/admin/internal/kvstore"
)

// ErrSyncRunning is returned when another instance holds the sync lease.
var ErrSyncRunning = errors.New("usage: another sync is running")

const (
	leaseKey    = "usage:sync-lease"
	lastSyncKey = "usage:last-sync"
)

// Syncer copies billed usage from the billing database into KV so the
// customer dashboard Worker can show it without querying Postgres.
type Syncer struct {
	DB    *sql.DB
	Store *kvstore.Store
	Now   func() time.Time
}

// SyncDay publishes one day's per-tenant totals.
func (s *Syncer) SyncDay(ctx context.Context, day time.Time) (int, error) {
	if err := s.acquire(ctx); err != nil {
		return 0, err
	}
	defer s.Store.Delete(ctx, leaseKey)

	rows, err := s.DB.QueryContext(ctx, `
		SELECT tenant_id, count(*)
		FROM api_requests
		WHERE created_at >= $1 AND created_at < $2
		GROUP BY tenant_id`, day, day.AddDate(0, 0, 1))
	if err != nil {
		return 0, fmt.Errorf("query usage: %w", err)
	}
	defer rows.Close()

	var pairs []*cf.WorkersKVPair
	for rows.Next() {
		var (
			tenant string
			total  int64
		)
		if err := rows.Scan(&tenant, &total); err != nil {
			return 0, err
		}
		pairs = append(pairs, &cf.WorkersKVPair{
			Key:           keys.UsageSnapshot(tenant, day),
			Value:         strconv.FormatInt(total, 10),
			ExpirationTTL: int(config.UsageRetention / time.Second),
			Metadata:      map[string]string{"source": "billing"},
		})
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n, err := s.Store.WriteAll(ctx, pairs)
	if err != nil {
		return n, err
	}
	stamp := strconv.FormatInt(s.Now().Unix(), 10)
	return n, s.Store.Put(ctx, lastSyncKey, []byte(stamp))
}

// acquire takes a short lease so two cron runs do not overlap.
func (s *Syncer) acquire(ctx context.Context) error {
	holder, held, err := s.Store.GetString(ctx, leaseKey)
	if err != nil {
		return err
	}
	if held {
		return fmt.Errorf("%w (held by %s)", ErrSyncRunning, holder)
	}
	host, _ := os.Hostname()
	return s.Store.PutUntil(ctx, leaseKey, []byte(host), time.Now().Add(30*time.Second)) // EXPECT kvttl
}
