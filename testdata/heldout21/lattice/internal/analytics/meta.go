package analytics

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
)

// EpisodeMeta is what the podcast host knows about an episode.
type EpisodeMeta struct {
	ID        conf.EpisodeID `json:"id"`
	Title     string         `json:"title"`
	Speakers  []string       `json:"speakers"`
	Duration  time.Duration  `json:"duration"`
	Published time.Time      `json:"published"`
}

// HostAPI is the podcast hosting provider, the source of truth for metadata.
type HostAPI interface {
	Episode(ctx context.Context, id conf.EpisodeID) (EpisodeMeta, error)
}

// MetaCache is a read-through cache of episode metadata.
type MetaCache struct {
	t    cfkv.Target
	host HostAPI
	ttl  time.Duration
}

// NewMetaCache wires the cache; ttl below ten minutes is raised to ten.
func NewMetaCache(t cfkv.Target, host HostAPI, ttl time.Duration) *MetaCache {
	return &MetaCache{t: t, host: host, ttl: max(ttl, 10*time.Minute)}
}

// Get returns an episode's metadata, filling the cache on a miss.
func (m *MetaCache) Get(ctx context.Context, id conf.EpisodeID) (EpisodeMeta, error) {
	key := "dl:meta:" + string(id)
	res, err := m.t.Client.KV.Namespaces.Values.Get(ctx, m.t.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(m.t.AccountID),
	})
	if err == nil {
		defer res.Body.Close()
		var meta EpisodeMeta
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return EpisodeMeta{}, err
		}
		return meta, json.Unmarshal(body, &meta)
	}
	if !cfkv.IsNotFound(err) {
		return EpisodeMeta{}, err
	}
	meta, err := m.host.Episode(ctx, id)
	if err != nil {
		return EpisodeMeta{}, err
	}
	body, err := json.Marshal(meta)
	if err != nil {
		return EpisodeMeta{}, err
	}
	_, err = m.t.Client.KV.Namespaces.Values.Update(ctx, m.t.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(m.t.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(m.ttl.Seconds()),
	})
	return meta, err
}
