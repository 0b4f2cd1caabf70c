package search

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"example.com/storefront/internal/kvrest"
)

// Observe records one search for term; counts are flushed periodically.
func (s *Service) Observe(term string) {
	s.mu.Lock()
	s.hits[term]++
	s.mu.Unlock()
}

func (s *Service) drain() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.hits
	s.hits = make(map[string]int64, len(out))
	return out
}

// FlushLoop folds the in-memory search counts into KV every FlushInterval.
func (s *Service) FlushLoop(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(s.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.flush(ctx); err != nil {
				log.WarnContext(ctx, "search stats flush", "err", err)
			}
		}
	}
}

func (s *Service) flush(ctx context.Context) error {
	for term, delta := range s.drain() {
		key := "search_hits:" + term
		var prev int64
		raw, err := s.kv.GetValue(ctx, key)
		switch {
		case errors.Is(err, kvrest.ErrNotFound):
		case err != nil:
			return err
		default:
			prev, _ = strconv.ParseInt(raw, 10, 64)
		}
		if err := s.kv.PutValue(ctx, key, strconv.FormatInt(prev+delta, 10), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
