// Package reports runs saved queries against the origin and caches results.
package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/quarry/internal/cache"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

// Row is one result row.
type Row map[string]any

// Result is what clients receive.
type Result struct {
	Account ids.AccountID `json:"account"`
	Query   ids.QueryID   `json:"query"`
	Rows    []Row         `json:"rows"`
	RanAt   time.Time     `json:"ranAt"`
	Preview bool          `json:"preview,omitempty"`
}

// Runner executes queries at the origin, which owns the data.
type Runner interface {
	Run(ctx context.Context, acct ids.AccountID, q ids.QueryID, limit int) ([]Row, error)
	RunSQL(ctx context.Context, sql string) ([]Row, error)
}

// ErrNoRows is returned by runners for a query with an empty result.
var ErrNoRows = errors.New("reports: no rows")

type Service struct {
	cache  *cache.Cache
	store  storage.Store
	runner Runner
	keys   config.Keys
	ttl    time.Duration
	now    func() time.Time
}

func NewService(c *cache.Cache, store storage.Store, r Runner, keys config.Keys, cc config.Cache) *Service {
	return &Service{cache: c, store: store, runner: r, keys: keys, ttl: cc.ReportTTL.Duration, now: time.Now}
}

func (s *Service) key(acct ids.AccountID, q ids.QueryID) string {
	return fmt.Sprintf(s.keys.Report, acct, q)
}

func (s *Service) run(ctx context.Context, acct ids.AccountID, q ids.QueryID, limit int) ([]byte, error) {
	rows, err := s.runner.Run(ctx, acct, q, limit)
	if errors.Is(err, ErrNoRows) {
		return nil, cache.ErrNoData
	}
	if err != nil {
		return nil, fmt.Errorf("reports: run %s/%s: %w", acct, q, err)
	}
	return json.Marshal(Result{Account: acct, Query: q, Rows: rows, RanAt: s.now().UTC(), Preview: limit > 0})
}

func decode(raw []byte, err error) (r Result, _ error) {
	if err != nil || raw == nil {
		return r, ignoreNoData(err)
	}
	return r, json.Unmarshal(raw, &r)
}

func ignoreNoData(err error) error {
	if errors.Is(err, cache.ErrNoData) {
		return nil
	}
	return err
}

// Get returns the cached result of a saved query, running it on a miss.
func (s *Service) Get(ctx context.Context, acct ids.AccountID, q ids.QueryID) (Result, error) {
	return decode(s.cache.Get(ctx, s.key(acct, q), s.ttl, func(ctx context.Context) ([]byte, error) {
		return s.run(ctx, acct, q, 0)
	}))
}

// Preview returns the first rows of a query while the editor is open. Editors
// re-run constantly, so previews are kept only briefly.
func (s *Service) Preview(ctx context.Context, acct ids.AccountID, q ids.QueryID) (Result, error) {
	key := s.key(acct, q) + "/preview"
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		return decode(raw, nil)
	}
	if !storage.IsNotFound(err) {
		return Result{}, err
	}
	if raw, err = s.run(ctx, acct, q, 50); err != nil {
		return decode(nil, err)
	}
	if err := s.store.Put(ctx, key, raw, storage.PutOptions{TTL: 30 * time.Second}); err != nil { // EXPECT kvttl
		return Result{}, err
	}
	return decode(raw, nil)
}

// Pin freezes the current result for the rest of the caller's deadline, so
// every panel of a dashboard render shows the same numbers.
func (s *Service) Pin(ctx context.Context, acct ids.AccountID, q ids.QueryID) (Result, error) {
	dl, ok := ctx.Deadline()
	if !ok {
		return s.Get(ctx, acct, q)
	}
	res, err := s.Get(ctx, acct, q)
	if err != nil {
		return Result{}, err
	}
	b, _ := json.Marshal(res)
	err = s.store.Put(ctx, s.key(acct, q)+"/pinned", b, storage.PutOptions{TTL: time.Until(dl)}) // EXPECT kvttl
	return res, err
}

// RefreshAll re-runs every listed query for an account (called by the
// scheduled refresh) and maintains the account's report index. Results live
// until the next scheduled run, which is the context deadline when there is one.
func (s *Service) RefreshAll(ctx context.Context, acct ids.AccountID, queries []ids.QueryID) (int, error) {
	ttl := s.ttl
	if dl, ok := ctx.Deadline(); ok {
		ttl = max(time.Until(dl), time.Minute)
	}
	index := make(map[ids.QueryID]time.Time, len(queries))
	indexKey := fmt.Sprintf(s.keys.ReportIndex, acct)
	done := 0
	for _, q := range queries {
		raw, err := s.run(ctx, acct, q, 0)
		if err != nil {
			if err = ignoreNoData(err); err != nil {
				return done, err
			}
			continue
		}
		if err := s.store.Put(ctx, s.key(acct, q), raw, storage.PutOptions{TTL: ttl}); err != nil {
			return done, err
		}
		index[q] = s.now().UTC()
		b, _ := json.Marshal(index)
		if err := s.store.Put(ctx, indexKey, b, storage.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			return done, err
		}
		done++
	}
	return done, nil
}

// topAccountsSQL feeds the internal "top accounts" dashboard tile.
const topAccountsSQL = `SELECT a.id AS account_id, a.slug, a.plan,
       COUNT(DISTINCT r.query_id) AS queries_run,
       SUM(r.rows_scanned) AS rows_scanned,
       SUM(r.bytes_scanned) AS bytes_scanned,
       AVG(r.duration_ms) AS avg_duration_ms,
       MAX(r.finished_at) AS last_run_at
  FROM accounts a
  JOIN runs r ON r.account_id = a.id
 WHERE r.finished_at >= datetime('now', '-30 days')
   AND r.status = 'done'
   AND a.deleted_at IS NULL
 GROUP BY a.id, a.slug, a.plan
HAVING COUNT(*) > 10
 ORDER BY bytes_scanned DESC, queries_run DESC
 LIMIT 100`

// PublishTopAccounts runs the dashboard query and stores the rows under a key
// derived from the query text, so edits to the SQL never serve stale shapes.
func (s *Service) PublishTopAccounts(ctx context.Context) (int, error) {
	rows, err := s.runner.RunSQL(ctx, topAccountsSQL)
	if err != nil && !errors.Is(err, ErrNoRows) {
		return 0, err
	}
	b, _ := json.Marshal(rows)
	return len(rows), s.store.Put(ctx, "report/sql/"+topAccountsSQL, b, storage.PutOptions{TTL: 15 * time.Minute}) // EXPECT kvlimits
}
