package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/route"
	"example.com/garganey/internal/timing"
)

// Geo resolves a client address to an ISO country code.
type Geo interface {
	Country(ctx context.Context, ip string) (string, error)
}

var (
	uniqTTL     = timing.MustDuration("72h")
	geoCacheTTL = timing.MustDuration("45s")
)

// Download is one measured download as reported by the edge.
type Download struct {
	Network  string
	Episode  string
	Listener string
	IP       string
}

type request struct {
	dl    Download
	uniq  bool // only report today's unique listeners
	reply chan kvstore.Result[int]
}

// Recorder owns the analytics writes of this process: they happen on its
// goroutine, fed over a channel; each request carries its reply channel.
type Recorder struct {
	stores *route.Stores
	shards int
	hits   *HitBuffer
	geo    Geo
	reqs   chan request
}

// NewRecorder returns a recorder; call Run before sending requests.
func NewRecorder(stores *route.Stores, hits *HitBuffer, geo Geo, viewShards int) *Recorder {
	return &Recorder{stores: stores, shards: viewShards, hits: hits, geo: geo, reqs: make(chan request)}
}

// Run serves requests until ctx is done.
func (r *Recorder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-r.reqs:
			req.reply <- r.handle(ctx, req)
		}
	}
}

func (r *Recorder) call(ctx context.Context, req request) kvstore.Result[int] {
	req.reply = make(chan kvstore.Result[int], 1)
	select {
	case r.reqs <- req:
	case <-ctx.Done():
		return kvstore.Fail[int](ctx.Err())
	}
	select {
	case res := <-req.reply:
		return res
	case <-ctx.Done():
		return kvstore.Fail[int](ctx.Err())
	}
}

// Record counts one download and returns the episode's unique listeners
// for today.
func (r *Recorder) Record(ctx context.Context, dl Download) kvstore.Result[int] {
	return r.call(ctx, request{dl: dl})
}

// Uniques returns today's unique listeners of an episode.
func (r *Recorder) Uniques(ctx context.Context, network, episode string) kvstore.Result[int] {
	return r.call(ctx, request{dl: Download{Network: network, Episode: episode}, uniq: true})
}

func (r *Recorder) handle(ctx context.Context, req request) kvstore.Result[int] {
	st, err := r.stores.ForTenant(req.dl.Network)
	if err != nil {
		return kvstore.Fail[int](err)
	}
	key := "uniq:" + req.dl.Episode + ":" + time.Now().UTC().Format(timing.Day)
	ids, err := loadListeners(ctx, st, key)
	if err != nil || req.uniq {
		return kvstore.Result[int]{Value: len(ids), Err: err}
	}

	if err := NewShardedCounter(st, "views", r.shards).Incr(ctx, req.dl.Episode); err != nil {
		return kvstore.Fail[int](err)
	}
	cc, err := r.country(ctx, st, req.dl.IP)
	if err != nil {
		cc = "ZZ" // geography is best effort; the download still counts
	}
	r.hits.Add(req.dl.Episode + ":" + cc)

	if slices.Contains(ids, req.dl.Listener) {
		return kvstore.Ok(len(ids))
	}
	ids = append(ids, req.dl.Listener)
	b, err := json.Marshal(ids)
	if err != nil {
		return kvstore.Fail[int](err)
	}
	if err := st.Put(ctx, key, b, uniqTTL); err != nil { // EXPECT kvrace
		return kvstore.Fail[int](err)
	}
	return kvstore.Ok(len(ids))
}

func loadListeners(ctx context.Context, st kvstore.Store, key string) ([]string, error) {
	res := st.Get(ctx, key)
	if res.Err != nil {
		return nil, res.Err
	}
	var ids []string
	if res.Value.Found {
		if err := json.Unmarshal(res.Value.Value, &ids); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	return ids, nil
}

// country looks ip up through the geo service, caching answers briefly
// because addresses of mobile listeners move between carriers.
func (r *Recorder) country(ctx context.Context, st kvstore.Store, ip string) (string, error) {
	key := "geo:" + ip
	if res := st.Get(ctx, key); res.Err == nil && res.Value.Found {
		return string(res.Value.Value), nil
	}
	cc, err := r.geo.Country(ctx, ip)
	if err != nil {
		return "", err
	}
	return cc, st.Put(ctx, key, []byte(cc), geoCacheTTL) // EXPECT kvttl
}
