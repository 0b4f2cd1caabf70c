// Package crawler polls the configured source feeds with a pool of workers
// and hands new items to the publishing pipeline. Per-feed schedule, backoff
// and HTTP validators are kept in the state namespace so that any instance
// can pick up where another left off.
package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
	"example.com/feeds/internal/platform/repo"
	"example.com/feeds/internal/source"
)

// Feed is a source feed.
type Feed = source.Feed

// ErrParse marks a document that could not be decoded.
var ErrParse = errors.New("crawler: parse error")

// parseErrorCooldown is how long the status page shows a broken feed before
// the next attempt clears it.
const parseErrorCooldown = 45 * time.Second

// Fetcher retrieves a feed.
type Fetcher interface {
	Fetch(ctx context.Context, feed Feed, etag string) (Result, error)
}

// Sink receives the items of a successful fetch.
type Sink interface {
	Ingest(ctx context.Context, feed Feed, items []Item) (int, error)
}

// FeedState is the persisted schedule of one feed.
type FeedState struct {
	LastFetched time.Time `json:"last_fetched"`
	NextFetch   time.Time `json:"next_fetch"`
	LastStatus  int       `json:"last_status"`
	LastItems   int       `json:"last_items"`
}

// Lease marks a feed as being crawled by one instance.
type Lease struct {
	Holder string    `json:"holder"`
	Since  time.Time `json:"since"`
}

type validators struct {
	ETag    string `json:"etag"`
	LastMod string `json:"last_modified"`
}

// Stats are the per-day crawl totals shown on the ops dashboard.
type Stats struct {
	Fetched     int `json:"fetched"`
	NotModified int `json:"not_modified"`
	Failed      int `json:"failed"`
	Items       int `json:"items"`
}

// Service runs crawls.
type Service struct {
	store    kv.Store
	states   *repo.Repository[FeedState]
	leases   *repo.Repository[Lease]
	fetcher  Fetcher
	sink     Sink
	workers  int
	interval time.Duration
	leaseTTL time.Duration
	instance string
	now      func() time.Time
	log      *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

func WithWorkers(n int) Option              { return func(s *Service) { s.workers = max(n, 1) } }
func WithInterval(d time.Duration) Option   { return func(s *Service) { s.interval = d } }
func WithLeaseTTL(d time.Duration) Option   { return func(s *Service) { s.leaseTTL = d } }
func WithInstanceID(id string) Option       { return func(s *Service) { s.instance = id } }
func WithLogger(l *slog.Logger) Option      { return func(s *Service) { s.log = l } }
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// New wires a crawler on the state namespace.
func New(store kv.Store, fetcher Fetcher, sink Sink, opts ...Option) *Service {
	s := &Service{
		store:    store,
		fetcher:  fetcher,
		sink:     sink,
		workers:  4,
		interval: 5 * time.Minute,
		leaseTTL: 5 * time.Minute,
		instance: "crawler",
		now:      time.Now,
		log:      slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	s.states = repo.New[FeedState](store, "feedstate:")
	s.leases = repo.New[Lease](store, "lease:feed:", repo.WithTTL(s.leaseTTL))
	return s
}

// RunOnce crawls feeds with the worker pool and waits for all of them.
func (s *Service) RunOnce(ctx context.Context, feeds []Feed) error {
	jobs := make(chan Feed)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := s.crawlOne(ctx, f); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("feed %s: %w", f.ID, err))
					mu.Unlock()
				}
			}
		}()
	}
feeds:
	for _, f := range feeds {
		select {
		case jobs <- f:
		case <-ctx.Done():
			break feeds
		}
	}
	close(jobs)
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Service) crawlOne(ctx context.Context, f Feed) error {
	ok, err := s.acquire(ctx, f.ID)
	if err != nil || !ok {
		return err
	}
	defer func() {
		if err := s.leases.Delete(context.WithoutCancel(ctx), f.ID); err != nil {
			s.log.Warn("lease release failed", "feed", f.ID, "err", err)
		}
	}()

	now := s.now()
	st, _, err := s.states.Get(ctx, f.ID)
	if err != nil {
		return err
	}
	if st.NextFetch.After(now) {
		return nil
	}

	val, _, err := kvjson.GetJSON[validators](ctx, s.store, "validators:"+f.ID)
	if err != nil {
		return err
	}
	res, err := s.fetcher.Fetch(ctx, f, val.ETag)
	if err != nil {
		return s.recordFailure(ctx, f, res, err)
	}
	if err := s.saveValidators(ctx, f, res); err != nil {
		s.log.Warn("saving validators", "feed", f.ID, "err", err)
	}

	n := 0
	if !res.NotModified {
		if n, err = s.sink.Ingest(ctx, f, res.Items); err != nil {
			return err
		}
	}
	if err := s.store.Delete(ctx, "fail:"+f.ID); err != nil {
		return err
	}
	err = s.states.Update(ctx, f.ID, func(st *FeedState) error {
		st.LastFetched = now
		st.NextFetch = now.Add(s.jittered(s.interval))
		st.LastStatus = res.Status
		st.LastItems = n
		return nil
	})
	if err != nil {
		return err
	}
	s.bumpStats(ctx, func(st *Stats) {
		if res.NotModified {
			st.NotModified++
		} else {
			st.Fetched++
			st.Items += n
		}
	})
	return s.appendLog(ctx, f.ID, fmt.Sprintf("%s %d items=%d", now.Format(time.RFC3339), res.Status, n))
}

// acquire takes the crawl lease for a feed unless another instance holds it.
func (s *Service) acquire(ctx context.Context, feedID string) (bool, error) {
	cur, found, err := s.leases.Get(ctx, feedID)
	if err != nil {
		return false, err
	}
	if found && cur.Holder != s.instance {
		return false, nil
	}
	return true, s.leases.Put(ctx, feedID, Lease{Holder: s.instance, Since: s.now()}) // EXPECT kvrace
}

func (s *Service) saveValidators(ctx context.Context, f Feed, res Result) error {
	if res.ETag == "" && res.LastMod == "" {
		return nil
	}
	b, err := json.Marshal(validators{ETag: res.ETag, LastMod: res.LastMod})
	if err != nil {
		return err
	}
	// Keep validators only as long as the origin says the document is fresh;
	// after that a full fetch is cheaper than a stale 304.
	switch {
	case !res.Expires.IsZero():
		return s.store.Put(ctx, "validators:"+f.ID, b, kv.PutOptions{
			TTL: time.Until(res.Expires), // EXPECT kvttl
		})
	case res.MaxAge > 0:
		return s.store.Put(ctx, "validators:"+f.ID, b, kv.PutOptions{
			TTL: max(res.MaxAge, 2*time.Minute),
		})
	default:
		return s.store.Put(ctx, "validators:"+f.ID, b, kv.PutOptions{TTL: 24 * time.Hour})
	}
}

func (s *Service) recordFailure(ctx context.Context, f Feed, res Result, cause error) error {
	key := "fail:" + f.ID
	failures := 0
	switch raw, err := s.store.Get(ctx, key); {
	case err == nil:
		failures, _ = strconv.Atoi(string(raw))
	case !kv.IsNotFound(err):
		return errors.Join(cause, err)
	}
	failures++
	if err := s.store.Put(ctx, key, []byte(strconv.Itoa(failures)), kv.PutOptions{TTL: 48 * time.Hour}); err != nil { // EXPECT kvcounter
		return errors.Join(cause, err)
	}

	if errors.Is(cause, ErrParse) {
		err := s.store.Put(ctx, "status:feed:"+f.ID, []byte("parse-error"), kv.PutOptions{
			TTL: parseErrorCooldown, // EXPECT kvttl
		})
		if err != nil {
			s.log.Warn("status write failed", "feed", f.ID, "err", err)
		}
	}

	now := s.now()
	err := s.states.Update(ctx, f.ID, func(st *FeedState) error {
		st.LastStatus = res.Status
		st.NextFetch = now.Add(backoff(failures, s.interval))
		return nil
	})
	s.bumpStats(ctx, func(st *Stats) { st.Failed++ })
	return errors.Join(cause, err)
}

// backoff doubles the interval per consecutive failure, capped at a day.
func backoff(failures int, base time.Duration) time.Duration {
	d := base
	for i := 1; i < failures && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

func (s *Service) jittered(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

func (s *Service) bumpStats(ctx context.Context, fn func(*Stats)) {
	key := "stats:crawl:" + s.now().UTC().Format(time.DateOnly)
	st, _, err := kvjson.GetJSON[Stats](ctx, s.store, key)
	if err != nil {
		s.log.Warn("stats read failed", "err", err)
		return
	}
	fn(&st)
	if err := kvjson.PutJSON(ctx, s.store, key, st, kv.PutOptions{TTL: 30 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
		s.log.Warn("stats write failed", "err", err)
	}
}

const maxLogBytes = 4 << 10

// appendLog keeps the last few KB of crawl history per feed for the
// editors' feed health page.
func (s *Service) appendLog(ctx context.Context, feedID, line string) error {
	key := "crawllog:" + feedID
	prev, err := s.store.Get(ctx, key)
	if err != nil && !kv.IsNotFound(err) {
		return err
	}
	next := string(prev) + line + "\n"
	if len(next) > maxLogBytes {
		next = next[len(next)-maxLogBytes:]
		if i := strings.IndexByte(next, '\n'); i >= 0 {
			next = next[i+1:]
		}
	}
	return s.store.Put(ctx, key, []byte(next), kv.PutOptions{TTL: 14 * 24 * time.Hour}) // EXPECT kvrace
}
