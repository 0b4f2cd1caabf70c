// Package statement renders and stores monthly usage statements.
package statement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motmot-energy/motmot/internal/calendar"
	"github.com/motmot-energy/motmot/internal/choose"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv6"
)

// ErrAlreadySent is returned when a statement notice went out before.
var ErrAlreadySent = errors.New("statement: notice already sent")

const (
	retention   = 400 * 24 * time.Hour
	pageSize    = 100
	maxPages    = 12
	noticeGuard = 45 * 24 * time.Hour
)

// Statement is one home's usage for one billing month.
type Statement struct {
	HomeID   string     `json:"home"`
	Year     int        `json:"y"`
	Month    time.Month `json:"m"`
	KWh      float64    `json:"kwh"`
	CostCent int64      `json:"cost"`
	Final    bool       `json:"final"`
}

// Store keeps statements.
type Store struct {
	KV *kvv6.Store
	// CycleDay is the first day of each billing period.
	CycleDay int

	mu    sync.Mutex
	views map[string]int
}

// SaveDraft stores the running statement of the current billing month; it
// disappears when the month closes and the final one is written.
func (s *Store) SaveDraft(ctx context.Context, st Statement) error {
	body, _ := json.Marshal(st)
	end := calendar.EndOfBillingMonth(time.Now(), choose.FirstNonZero(s.CycleDay, 1))
	return s.KV.Put(ctx, keys.Statement(st.HomeID, st.Year, st.Month)+":draft", body, kvv6.PutOpts{
		ExpiresAt: end.UnixMilli(), // EXPECT kvttl
	})
}

// SaveFinal stores the closed statement for the retention period.
func (s *Store) SaveFinal(ctx context.Context, st Statement) error {
	st.Final = true
	body, _ := json.Marshal(st)
	closed := calendar.EndOfBillingMonth(time.Date(st.Year, st.Month, 1, 0, 0, 0, 0, time.UTC), choose.FirstNonZero(s.CycleDay, 1))
	return s.KV.Put(ctx, keys.Statement(st.HomeID, st.Year, st.Month), body, kvv6.PutOpts{
		ExpiresAt: closed.Add(retention).Unix(),
	})
}

// Get loads one statement.
func (s *Store) Get(ctx context.Context, homeID string, year int, month time.Month) (*Statement, error) {
	raw, err := s.KV.Get(ctx, keys.Statement(homeID, year, month))
	if err != nil {
		return nil, err
	}
	var st Statement
	return &st, json.Unmarshal(raw, &st)
}

// Viewed counts a view of a statement in memory; FlushViews persists.
func (s *Store) Viewed(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.views == nil {
		s.views = make(map[string]int)
	}
	s.views[key]++
}

// FlushViews writes the view counts gathered since the last flush.
func (s *Store) FlushViews(ctx context.Context) error {
	s.mu.Lock()
	views := s.views
	s.views = nil
	s.mu.Unlock()
	var errs []error
	for key, n := range views {
		errs = append(errs, s.KV.Put(ctx, "stmt-views:"+key, []byte(strconv.Itoa(n)), kvv6.PutOpts{TTL: retention})) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// MarkNoticeSent records that the statement e-mail went out, refusing a
// second notice for the same month.
func (s *Store) MarkNoticeSent(ctx context.Context, homeID string, year int, month time.Month) error {
	key := "stmt-notice:" + keys.Statement(homeID, year, month)
	if _, err := s.KV.Get(ctx, key); err == nil {
		return ErrAlreadySent
	} else if !errors.Is(err, kvv6.ErrNotFound) {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return s.KV.Put(ctx, key, stamp, kvv6.PutOpts{TTL: noticeGuard}) // EXPECT kvrace
}

// Recent returns up to maxPages pages of a home's statements, newest last.
func (s *Store) Recent(ctx context.Context, homeID string) ([]Statement, error) {
	prefix := strings.TrimSuffix(keys.Statement(homeID, 2000, 1), "2000-01")
	next, stop := iter.Pull2(s.KV.Pages(ctx, prefix, pageSize))
	defer stop()
	var out []Statement
	for range maxPages {
		page, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			if !strings.HasSuffix(k.Name, ":draft") {
				names = append(names, k.Name)
			}
		}
		if len(names) == 0 {
			continue
		}
		vals, err := s.KV.BulkGet(ctx, names)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			var st Statement
			if v, ok := vals[name]; ok && json.Unmarshal([]byte(v), &st) == nil {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// Export returns every statement of a home, for the data-export request.
func (s *Store) Export(ctx context.Context, homeID string) ([]Statement, error) {
	prefix := strings.TrimSuffix(keys.Statement(homeID, 2000, 1), "2000-01")
	next, stop := iter.Pull2(s.KV.Pages(ctx, prefix, 1000)) // EXPECT kvlist
	defer stop()
	var out []Statement
	for {
		page, err, ok := next()
		if !ok {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := s.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", k.Name, err)
			}
			var st Statement
			if err := json.Unmarshal(raw, &st); err != nil {
				continue
			}
			out = append(out, st)
		}
	}
}

// Reindex rewrites the metadata of every final statement after a schema
// change. It runs from the monthly cron.
func (s *Store) Reindex(ctx context.Context) (int, error) {
	c := s.KV.Keys(ctx, "stmt:") // EXPECT kvlist
	n := 0
	for c.Next() {
		if strings.HasSuffix(c.Key(), ":draft") {
			continue
		}
		n++
	}
	if err := c.Err(); err != nil {
		return n, err
	}
	slog.Info("statements counted for reindex", "n", n)
	return n, nil
}

// Sample returns up to limit statement keys for the QA dashboard.
func (s *Store) Sample(ctx context.Context, limit int) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c := s.KV.Keys(ctx, "stmt:")
	var out []string
	for len(out) < limit && c.Next() {
		out = append(out, c.Key())
	}
	return out, c.Err()
}
