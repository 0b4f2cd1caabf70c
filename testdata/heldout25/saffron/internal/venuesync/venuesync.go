// Package venuesync copies venue profiles and menus from the point-of-sale
// system of record into KV, where the edge worker reads them.
package venuesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/saffron/internal/cfkv"
	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Source is the system of record.
type Source interface {
	Venues(ctx context.Context) ([]domain.Venue, error)
	Menu(ctx context.Context, venueID string) (domain.Menu, error)
	Notices(ctx context.Context, venueID string) ([]Notice, error)
}

// Notice is a temporary message shown until a given time.
type Notice struct {
	ID    string    `json:"id"`
	Text  string    `json:"text"`
	Until time.Time `json:"until"`
}

// Service runs the sync.
type Service interface {
	RunOnce(ctx context.Context) error
	Run(ctx context.Context)
	Stats() Stats
}

// Stats is a snapshot of counters kept in memory.
type Stats struct {
	Runs     int64
	Failures int64
	LastRun  time.Time
}

type service struct {
	store   cfkv.Store
	client  *cloudflare.Client
	src     Source
	cfg     *atomic.Pointer[config.Config]
	owner   string
	runs    atomic.Int64
	fails   atomic.Int64
	lastRun atomic.Int64
}

// NewService builds a sync Service. cfg is read at every run so interval and
// TTL changes apply without a restart.
func NewService(store cfkv.Store, client *cloudflare.Client, src Source, cfg *atomic.Pointer[config.Config], owner string) Service {
	return &service{store: store, client: client, src: src, cfg: cfg, owner: owner}
}

func (s *service) Stats() Stats {
	return Stats{Runs: s.runs.Load(), Failures: s.fails.Load(), LastRun: time.Unix(s.lastRun.Load(), 0)}
}

// Run syncs on every tick until ctx is cancelled.
func (s *service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Load().Sync.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runCtx, cancel := context.WithTimeout(ctx, s.cfg.Load().Sync.Interval/2)
			if err := s.RunOnce(runCtx); err != nil {
				s.fails.Add(1)
				log.Printf("venuesync: %v", err)
			}
			cancel()
			if err := s.heartbeat(ctx); err != nil {
				log.Printf("venuesync heartbeat: %v", err)
			}
		}
	}
}

type lease struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

// acquire takes the job lease unless another instance holds a live one.
func (s *service) acquire(ctx context.Context, job string) (bool, error) {
	key := keys.Lease(job)
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		var l lease
		if json.Unmarshal(raw, &l) == nil && l.Owner != s.owner && time.Now().Before(l.Expires) {
			return false, nil
		}
	case !storage.IsNotFound(err):
		return false, err
	}
	ttl := s.cfg.Load().Sync.LeaseTTL
	b, _ := json.Marshal(lease{Owner: s.owner, Expires: time.Now().Add(ttl)})
	if err := s.store.Put(ctx, key, b, storage.WithTTL(ttl)); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

func (s *service) heartbeat(ctx context.Context) error {
	meta := struct {
		Owner string `json:"owner"`
		Runs  int64  `json:"runs"`
	}{s.owner, s.runs.Load()}
	b, _ := json.Marshal(meta)
	return s.store.Put(ctx, "sync:heartbeat:"+s.owner, b, storage.WithTTL(10*time.Minute))
}

func (s *service) RunOnce(ctx context.Context) error {
	ok, err := s.acquire(ctx, "venuesync")
	if err != nil || !ok {
		return err
	}
	cfg := s.cfg.Load()
	venues, err := s.src.Venues(ctx)
	if err != nil {
		return err
	}
	var batch storage.Batch
	for i, v := range venues {
		if ctx.Err() != nil {
			break
		}
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		batch = batch.Add(keys.Venue(v.ID), b, cfg.Cache.Venues.TTL)
		if err := s.syncMenu(ctx, v.ID, cfg.Cache.Menu); err != nil {
			log.Printf("menu %s: %v", v.ID, err)
		}
		if err := s.syncNotices(ctx, v.ID); err != nil {
			log.Printf("notices %s: %v", v.ID, err)
		}
		progress := fmt.Sprintf(`{"done":%d,"total":%d,"venue":%q}`, i+1, len(venues), v.ID)
		if err := s.store.Put(ctx, "sync:progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := batch.Flush(ctx, s.store); err != nil {
		return err
	}
	s.runs.Add(1)
	s.lastRun.Store(time.Now().Unix())
	return nil
}

func (s *service) syncMenu(ctx context.Context, venueID string, p config.TTLPolicy) error {
	m, err := s.src.Menu(ctx, venueID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	meta := struct {
		Revision   int    `json:"rev"`
		Items      int    `json:"items"`
		Disclaimer string `json:"disclaimer"`
	}{m.Revision, len(m.Items), allergenDisclaimer}
	if err := s.store.Put(ctx, keys.Menu(venueID), b, storage.WithMetadata(meta)); err != nil { // EXPECT kvlimits
		return err
	}
	var items storage.Batch
	for _, it := range m.Items {
		ib, _ := json.Marshal(it)
		items = items.Add(keys.MenuItem(venueID, it.ID), ib, p.TTL)
	}
	return s.store.PutMany(ctx, items)
}

func (s *service) syncNotices(ctx context.Context, venueID string) error {
	notices, err := s.src.Notices(ctx, venueID)
	if err != nil {
		return err
	}
	for _, n := range notices {
		if n.Until.Before(time.Now()) {
			continue
		}
		b, _ := json.Marshal(n)
		ttl := max(time.Until(n.Until), 10*time.Second) // EXPECT kvttl
		if err := s.store.Put(ctx, "notice:"+venueID+":"+n.ID, b, storage.WithTTL(ttl)); err != nil {
			return err
		}
	}
	return nil
}

// SeedDefaults writes the default feature flags of a venue unless they exist.
func SeedDefaults(ctx context.Context, client *cloudflare.Client, accountID, namespaceID, venueID string) error {
	key := "flags:" + venueID
	_, err := client.KV.Namespaces.Values.Get(ctx, namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)}) // EXPECT kvnull
	if err == nil {
		return nil
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(accountID),
		Value:     cloudflare.F(`{"pickup":true,"waitlist":true,"deposits":false}`),
		Metadata:  cloudflare.F(`{"seeded":true}`),
	})
	return err
}

// SeedFlagsChecked is SeedDefaults for callers that must not clobber flags
// when the API is failing.
func SeedFlagsChecked(ctx context.Context, client *cloudflare.Client, accountID, namespaceID, venueID string) error {
	key := "flags:" + venueID
	_, err := client.KV.Namespaces.Values.Get(ctx, namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)})
	var apiErr *cloudflare.Error
	if err == nil {
		return nil
	}
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(accountID),
		Value:     cloudflare.F(`{"pickup":true,"waitlist":true,"deposits":false}`),
		Metadata:  cloudflare.F(`{"seeded":true}`),
	})
	return err
}
