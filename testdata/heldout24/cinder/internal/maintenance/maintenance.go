// Package maintenance holds the periodic housekeeping jobs: compaction of
// stale records, key migrations and daily rollups.
package maintenance

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/storage"
)

// Service runs maintenance against one store.
type Service struct {
	store    storage.Store
	clock    clock.Clock
	cfg      config.Config
	workers  int
	prefixes []string
}

// Option configures a Service.
type Option func(*Service)

// WithWorkers sets the number of goroutines per pipeline stage.
func WithWorkers(n int) Option { return func(s *Service) { s.workers = n } }

// WithCompactPrefixes sets which key families Compact sweeps.
func WithCompactPrefixes(p ...string) Option { return func(s *Service) { s.prefixes = p } }

// New builds a Service.
func New(store storage.Store, c clock.Clock, cfg config.Config, opts ...Option) *Service {
	s := &Service{store: store, clock: c, cfg: cfg, workers: 4, prefixes: []string{"idem:"}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// listAll streams every key under prefix into out and closes it.
func (s *Service) listAll(ctx context.Context, prefix string, out chan<- storage.KeyInfo) error {
	defer close(out)
	cursor := ""
	for {
		page, err := s.store.List(ctx, storage.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			select {
			case out <- k:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}

// Compact deletes records in the swept families that were written without
// an expiry and are therefore never collected by the store.
func (s *Service) Compact(ctx context.Context) error {
	for _, prefix := range s.prefixes {
		keys := make(chan storage.KeyInfo, 256)
		errc := make(chan error, 1)
		go func() { errc <- s.listAll(ctx, prefix, keys) }()

		var wg sync.WaitGroup
		var mu sync.Mutex
		deleted := 0
		for i := 0; i < s.workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range keys {
					if !k.ExpiresAt.IsZero() {
						continue
					}
					if err := s.store.Delete(ctx, k.Name); err != nil {
						log.Printf("compact %s: %v", k.Name, err)
						continue
					}
					mu.Lock()
					deleted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if listErr := <-errc; listErr != nil {
			return fmt.Errorf("compact %s: %w", prefix, listErr)
		}
		log.Printf("compact %s: deleted %d", prefix, deleted)
	}
	return nil
}

// Migrate copies every value under from to the same suffix under to. It is
// resumable: progress is recorded so an operator can watch it.
func (s *Service) Migrate(ctx context.Context, from, to string) error {
	keys := make(chan storage.KeyInfo, 128)
	done := make(chan string, 128)
	errc := make(chan error, 1)
	go func() {
		defer close(keys)
		errc <- storage.Walk(ctx, s.store, from, s.cfg.ListPageSize, s.cfg.MaxListPages, func(k storage.KeyInfo) error {
			keys <- k
			return nil
		})
	}()

	var wg sync.WaitGroup
	for i := 0; i < s.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				v, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
				if err != nil {
					log.Printf("migrate read %s: %v", k.Name, err)
					continue
				}
				var opts []storage.PutOption
				if !k.ExpiresAt.IsZero() {
					opts = append(opts, storage.WithExpireAt(k.ExpiresAt))
				}
				dst := to + strings.TrimPrefix(k.Name, from)
				if err := s.store.Put(ctx, dst, v, opts...); err != nil {
					log.Printf("migrate write %s: %v", dst, err)
					continue
				}
				done <- k.Name
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	n := 0
	for name := range done {
		n++
		progress, _ := json.Marshal(map[string]any{"from": from, "to": to, "last": name, "copied": n})
		if err := s.store.Put(ctx, "migration:progress", progress); err != nil { // EXPECT kvhotkey
			log.Printf("migrate progress: %v", err)
		}
	}
	if listErr := <-errc; listErr != nil && listErr != storage.ErrBudget {
		return listErr
	}
	return nil
}

// Rollup writes the daily summary and the time of the run. It is registered
// on the scheduler and runs once per tick.
func (s *Service) Rollup(ctx context.Context) error {
	now := s.clock.Now()
	day := now.Format("2006-01-02")
	summary, err := json.Marshal(map[string]any{"day": day, "generated_at": now})
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, "rollup:"+day, summary, storage.WithTTL(90*24*time.Hour)); err != nil {
		return err
	}
	return s.store.Put(ctx, "rollup:last-run", []byte(now.Format(time.RFC3339)))
}

// WarmConfigs primes the config cache for the given tenants.
func (s *Service) WarmConfigs(ctx context.Context, tenants []string, load storage.LoaderFunc) error {
	ttl := storage.ClampTTL(s.cfg.ConfigCacheTTL / 10)
	for _, t := range tenants {
		key := "tenantcfg:" + t
		b, err := load(ctx, key)
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, key, b, storage.WithTTL(ttl)); err != nil {
			return err
		}
	}
	return nil
}
