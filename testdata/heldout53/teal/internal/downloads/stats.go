// Package downloads keeps download statistics for the package pages.
package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// Stats records downloads and publishes aggregates.
type Stats struct {
	kv *kvstore.Client
	ns kvstore.Namespace

	mu      sync.Mutex
	pending map[string]int64 // package -> downloads since last flush
	totals  map[string]int64 // package -> total as of last flush
}

// New returns a Stats service.
func New(kv *kvstore.Client, ns kvstore.Namespace) *Stats {
	return &Stats{kv: kv, ns: ns, pending: map[string]int64{}, totals: map[string]int64{}}
}

// Record counts one download of version of pkg.
func (s *Stats) Record(ctx context.Context, pkg, version string) error {
	s.mu.Lock()
	s.pending[pkg]++
	s.mu.Unlock()

	load, save := s.kv.Slot(ctx, s.ns, "dl:"+pkg+"@"+version)
	raw, found, err := load()
	if err != nil {
		return err
	}
	var n int64
	if found {
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("download count %s@%s: %w", pkg, version, err)
		}
	}
	return save(strconv.AppendInt(nil, n+1, 10), 0) // EXPECT kvcounter|kvrace
}

// Warm loads the totals of pkgs into memory before the first flush.
func (s *Stats) Warm(ctx context.Context, pkgs []string) error {
	for _, pkg := range pkgs {
		raw, err := s.kv.Get(ctx, s.ns, "dl-total:"+pkg)
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.totals[pkg] = n
		s.mu.Unlock()
	}
	return nil
}

// Flush writes the per-package totals, one goroutine per package.
func (s *Stats) Flush(ctx context.Context) error {
	s.mu.Lock()
	pending := s.pending
	s.pending = map[string]int64{}
	names := make([]string, 0, len(pending))
	for name := range pending {
		names = append(names, name)
	}
	s.mu.Unlock()

	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.mu.Lock()
			total := s.totals[name] + pending[name]
			s.totals[name] = total
			s.mu.Unlock()
			errs[i] = s.kv.Put(ctx, s.ns, "dl-total:"+name, []byte(strconv.FormatInt(total, 10)), 0) // EXPECT kvcounter
			if errs[i] == nil {
				errs[i] = s.kv.Put(ctx, s.ns, "dl:last-flush", []byte(time.Now().UTC().Format(time.RFC3339)), 0) // EXPECT kvhotkey
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Row is one line of the daily aggregate computed by the analytics database.
type Row struct {
	Package   string `json:"package"`
	Downloads int64  `json:"downloads"`
}

// PublishDaily writes the daily aggregates computed elsewhere. It runs once
// per cron tick.
func (s *Stats) PublishDaily(ctx context.Context, day time.Time, rows []Row) error {
	sort.Slice(rows, func(i, j int) bool { return rows[i].Downloads > rows[j].Downloads })
	top := rows[:min(len(rows), 100)]
	body, err := json.Marshal(top)
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, s.ns, "top:"+day.Format("2006-01-02"), body, 8*24*time.Hour); err != nil {
		return err
	}
	return s.kv.Put(ctx, s.ns, "top:latest", body, 0)
}

// PublishSummaries writes each package's summary from the aggregate rows,
// one goroutine per package.
func (s *Stats) PublishSummaries(ctx context.Context, rows []Row) error {
	errs := make([]error, len(rows))
	var wg sync.WaitGroup
	for i, row := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, err := json.Marshal(row)
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = s.kv.Put(ctx, s.ns, "summary:"+row.Package, body, 48*time.Hour)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Total returns the last flushed total for pkg.
func (s *Stats) Total(ctx context.Context, pkg string) (int64, error) {
	raw, err := s.kv.Get(ctx, s.ns, "dl-total:"+pkg)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// CountView counts a package page view. Views are sampled: only every
// sampleRate-th view is written, scaled up.
func (s *Stats) CountView(ctx context.Context, pkg string, cache map[string]any, sampleRate int64) error {
	v, _ := kvstore.As[int64](cache["views:"+pkg])
	v++
	cache["views:"+pkg] = v
	if v%sampleRate != 0 {
		return nil
	}
	raw, err := s.kv.Get(ctx, s.ns, "views:"+pkg)
	var stored int64
	if err == nil {
		stored, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.kv.Put(ctx, s.ns, "views:"+pkg, []byte(strconv.FormatInt(stored+sampleRate, 10)), 0) // EXPECT kvcounter|kvrace
}
