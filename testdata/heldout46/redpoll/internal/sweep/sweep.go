//go:build !js

// Package sweep runs the nightly maintenance jobs: expiring postings,
// refreshing listing pages and pruning saved searches of deleted users.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/redpoll-jobs/redpoll/internal/codec"
	"github.com/redpoll-jobs/redpoll/internal/config"
	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

const (
	lastRunKey   = "sweep/last-run"
	lockKey      = "sweep/lock"
	progressKey  = "sweep/progress"
	tombstoneTTL = 30 * 24 * time.Hour
)

// Sweeper owns one run of the nightly jobs.
type Sweeper struct {
	store *kvrest.Store
	api   *cloudflare.Client
	cfg   config.Config
	log   *slog.Logger
}

// New returns a Sweeper.
func New(store *kvrest.Store, api *cloudflare.Client, cfg config.Config, log *slog.Logger) *Sweeper {
	return &Sweeper{store: store, api: api, cfg: cfg, log: log}
}

// Loop runs Run every cfg.SweepEvery until ctx ends.
func (s *Sweeper) Loop(ctx context.Context) error {
	t := time.NewTicker(s.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			n, err := s.Run(ctx)
			if err != nil {
				s.log.Error("sweep failed", "err", err, "expired", n)
				continue
			}
			s.log.Info("sweep done", "expired", n)
		}
	}
}

// Run expires postings whose deadline passed. It records the time of every
// run, successful or not, and turns panics into errors.
func (s *Sweeper) Run(ctx context.Context) (expired int, err error) {
	held, err := s.acquire(ctx)
	if err != nil || !held {
		return 0, err
	}
	defer func() {
		if derr := s.store.Delete(context.WithoutCancel(ctx), lockKey); derr != nil {
			err = errors.Join(err, derr)
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sweep: panic: %v", r)
		}
		stamp := strconv.FormatInt(time.Now().Unix(), 10) + " " + strconv.Itoa(expired)
		if serr := s.store.Put(context.WithoutCancel(ctx), lastRunKey, []byte(stamp), 0); serr != nil {
			err = errors.Join(err, serr)
		}
	}()

	expired, err = s.expirePostings(ctx)
	if err != nil {
		return expired, err
	}
	err = errors.Join(err, s.refreshListings(ctx))
	return expired, err
}

func (s *Sweeper) acquire(ctx context.Context) (bool, error) {
	_, ok, err := s.store.Lookup(ctx, lockKey)
	if err != nil {
		return false, err
	}
	if ok {
		s.log.Info("sweep already running elsewhere")
		return false, nil
	}
	host := strconv.FormatInt(time.Now().UnixNano(), 36)
	return true, s.store.Put(ctx, lockKey, []byte(host), 2*time.Hour) // EXPECT kvrace
}

func (s *Sweeper) expirePostings(ctx context.Context) (int, error) {
	pager := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.cfg.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F(keys.PostingsDir),
	})
	var (
		n    int
		errs []error
	)
	for pager.Next() {
		k := pager.Current()
		if strings.HasPrefix(k.Name, "postings/by-employer/") {
			continue
		}
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := records.DecodePosting(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep: %s: %w", k.Name, err))
			continue
		}
		if p.Closed || time.Now().Before(p.ExpiresAt) {
			continue
		}
		if err := s.store.Delete(ctx, k.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		if err := s.store.Put(ctx, progressKey, []byte(k.Name), 0); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	if err := pager.Err(); err != nil {
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// refreshListings re-renders the cached listing pages of every city folder.
// The walk is bounded by the configured page budget at each level.
func (s *Sweeper) refreshListings(ctx context.Context) error {
	root, err := s.store.Tree(ctx, keys.ListingsDir, 2, s.cfg.ListPageBudget)
	if err != nil {
		return err
	}
	var batch kvrest.Batch
	err = root.Visit(func(key string) error {
		page, err := renderListing(key)
		if err != nil {
			return err
		}
		packed, err := codec.Pack(page)
		if err != nil {
			return err
		}
		batch.Add(key, []byte(packed), s.cfg.ListingCacheTTL)
		return nil
	})
	return errors.Join(err, batch.Flush(ctx, s.store))
}

func renderListing(key string) ([]byte, error) {
	parts := strings.Split(strings.TrimPrefix(key, keys.ListingsDir), "/")
	if len(parts) != 3 {
		return nil, fmt.Errorf("sweep: unexpected listing key %q", key)
	}
	return []byte(`{"city":"` + parts[0] + `","category":"` + parts[1] + `","items":[]}`), nil
}

// Tombstone marks deleted postings so links in old e-mails show "closed"
// instead of a 404, for as long as the posting would have been live.
func (s *Sweeper) Tombstone(ctx context.Context, p records.Posting) error {
	raw, err := codec.Gob(records.Posting{ID: p.ID, EmployerID: p.EmployerID, Title: p.Title, Closed: true})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.Posting(p.ID), raw, time.Until(p.ExpiresAt)) // EXPECT kvttl
}

// Reopen restores a posting for the rest of its original window.
func (s *Sweeper) Reopen(ctx context.Context, p records.Posting) error {
	p.Closed = false
	raw, err := codec.Gob(p)
	if err != nil {
		return err
	}
	return s.store.PutCached(ctx, keys.Posting(p.ID), raw, time.Until(p.ExpiresAt))
}

// MarkGone replaces a posting the source system no longer knows with a
// tombstone.
func (s *Sweeper) MarkGone(ctx context.Context, id string) error {
	key := keys.Posting(id)
	if _, err := s.store.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	raw, err := codec.Gob(records.Posting{ID: id, Closed: true})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, raw, tombstoneTTL) // DEBATABLE kvrace
}

// PublishWithRetry writes a posting, retrying throttled writes with
// exponential backoff.
func (s *Sweeper) PublishWithRetry(ctx context.Context, p records.Posting) error {
	raw, err := records.Encode(p)
	if err != nil {
		return err
	}
	ttl := max(time.Until(p.ExpiresAt), time.Minute)
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		err = s.store.Put(ctx, records.Key(p), raw, ttl)
		if err == nil || attempt == 4 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff):
			backoff *= 2
		}
	}
}
