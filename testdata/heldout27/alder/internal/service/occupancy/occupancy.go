// Package occupancy tracks who is in each site and renders the dashboards
// shown on the lobby screens.
package occupancy

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/alder/internal/cache"
	"example.com/alder/internal/config"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

// presencePages bounds the listing behind the live board.
const presencePages = 4

// Service records presence and renders occupancy.
type Service struct {
	store       storage.Store
	presenceTTL time.Duration
	snapshotTTL time.Duration
	capacity    map[domain.SiteID]int
	boards      *cache.ReadThrough
}

// ProvideService builds the occupancy service.
func ProvideService(st storage.Store, cfg config.Config, capacity map[domain.SiteID]int) *Service {
	s := &Service{
		store:       st,
		presenceTTL: cfg.PresenceTTL(),
		snapshotTTL: cfg.DashboardTTL(),
		capacity:    capacity,
	}
	s.boards = cache.NewReadThrough(st, s.renderBoard, 30*time.Second, 5*time.Second)
	return s
}

func presenceKey(site domain.SiteID, member domain.MemberID) string {
	return "presence:" + string(site.Normalize()) + ":" + string(member)
}

func snapshotKey(site domain.SiteID) string {
	return "occupancy:snapshot:" + string(site.Normalize())
}

// OnGranted is installed as the access service's grant hook: every door
// opening refreshes the member's presence and tallies the check-in.
func (s *Service) OnGranted(ctx context.Context, g domain.AccessGrant) error {
	now := time.Now()
	if err := s.store.Put(ctx, presenceKey(g.Site, g.Member), []byte(g.Member), storage.PutOptions{TTL: s.presenceTTL}); err != nil {
		return err
	}
	_, err := s.bump(ctx, "checkins:"+string(g.Site.Normalize())+":"+domain.Day(now))
	return err
}

// bump adds one to a tally and returns the new value.
func (s *Service) bump(ctx context.Context, key string) (int64, error) {
	var n int64
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !storage.IsNotFound(err) {
		return 0, err
	}
	n++
	return n, s.store.Put(ctx, key, strconv.AppendInt(nil, n, 10), storage.PutOptions{TTL: 48 * time.Hour}) // EXPECT kvcounter
}

// Present returns the members currently in site.
func (s *Service) Present(ctx context.Context, site domain.SiteID) ([]domain.MemberID, error) {
	q := storage.ListQuery{Prefix: "presence:" + string(site.Normalize()) + ":", Limit: 1000}
	var keys []string
	for page := 0; page < presencePages; page++ {
		res, err := s.store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		keys = append(keys, res.Keys...)
		if res.Complete {
			break
		}
		q.Cursor = res.Cursor
	}
	members := make([]domain.MemberID, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			raw, err := s.store.Get(cctx, k) // EXPECT kvlist
			if err != nil {
				errs[i] = err
				return
			}
			members[i] = domain.MemberID(raw)
		})
	}
	wg.Wait()
	out := members[:0]
	for i, m := range members {
		if errs[i] != nil {
			if storage.IsNotFound(errs[i]) {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, m)
	}
	return out, nil
}

// Board returns the rendered occupancy of site, cached at both layers.
func (s *Service) Board(ctx context.Context, site domain.SiteID) (*domain.Occupancy, error) {
	raw, err := s.boards.Get(ctx, "board:"+string(site.Normalize()))
	if err != nil {
		return nil, err
	}
	var o domain.Occupancy
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func (s *Service) renderBoard(ctx context.Context, key string) ([]byte, error) {
	site := domain.SiteID(strings.TrimPrefix(key, "board:"))
	members, err := s.Present(ctx, site)
	if err != nil {
		return nil, err
	}
	return json.Marshal(domain.Occupancy{Site: site, At: time.Now(), Present: len(members), Capacity: s.capacity[site]})
}

// Snapshot stores the current occupancy of site; the scheduler calls it once
// per tick for every site.
func (s *Service) Snapshot(ctx context.Context, site domain.SiteID) error {
	members, err := s.Present(ctx, site)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(domain.Occupancy{Site: site, At: time.Now(), Present: len(members), Capacity: s.capacity[site]})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, snapshotKey(site), raw, storage.PutOptions{TTL: s.snapshotTTL})
}

// Summaries returns the latest snapshot of each configured site, fetched in
// parallel. Sites without a snapshot yet are reported empty.
func (s *Service) Summaries(ctx context.Context, sites []domain.SiteID) ([]domain.Occupancy, error) {
	out := make([]domain.Occupancy, len(sites))
	errs := make([]error, len(sites))
	var wg sync.WaitGroup
	for i, site := range sites {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			raw, err := s.store.Get(cctx, snapshotKey(site))
			if storage.IsNotFound(err) {
				out[i] = domain.Occupancy{Site: site, Capacity: s.capacity[site]}
				return
			}
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = json.Unmarshal(raw, &out[i])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
