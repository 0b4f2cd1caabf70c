package firmware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/cobalt/internal/sflight"
	"example.com/cobalt/internal/storage"
)

// ErrUnknownChannel is returned for a channel the origin does not publish.
var ErrUnknownChannel = errors.New("firmware: unknown channel")

// Manifest describes the current release on one channel.
type Manifest struct {
	Channel     string    `json:"channel"`
	Version     string    `json:"version"`
	URL         string    `json:"url"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	PublishedAt time.Time `json:"published_at"`
	Missing     bool      `json:"missing,omitempty"`
}

// Origin is the authoritative source of manifests.
type Origin interface {
	Fetch(ctx context.Context, channel string) (Manifest, error)
}

// HTTPOrigin fetches manifests from the release server.
type HTTPOrigin struct {
	Base   string
	Client *http.Client
}

// Fetch implements Origin.
func (o HTTPOrigin) Fetch(ctx context.Context, channel string) (Manifest, error) {
	u := o.Base + "/channels/" + url.PathEscape(channel) + "/manifest.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Manifest{}, err
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return Manifest{}, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return Manifest{}, ErrUnknownChannel
	default:
		return Manifest{}, fmt.Errorf("firmware: origin %s: %s", u, res.Status)
	}
	var m Manifest
	err = json.NewDecoder(res.Body).Decode(&m)
	return m, err
}

// ManifestCache is a read-through cache of manifests in front of the origin.
type ManifestCache struct {
	st          storage.Store
	origin      Origin
	ttl         time.Duration
	negativeTTL time.Duration
	group       sflight.Group[Manifest]
}

// NewManifestCache returns a cache that keeps manifests for ttl.
func NewManifestCache(st storage.Store, origin Origin, ttl time.Duration) *ManifestCache {
	return &ManifestCache{st: st, origin: origin, ttl: ttl, negativeTTL: 20 * time.Second}
}

const channelIndexKey = "."

func manifestKey(channel string) string { return "manifest:" + channel }

// fill stores a cache entry. Entries never live less than a minute.
func (c *ManifestCache) fill(ctx context.Context, key string, m Manifest, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, key, b, storage.PutOptions{TTL: ttl})
}

// Get returns the manifest for channel, fetching it from the origin on a
// miss. Concurrent misses for one channel share a single origin fetch.
func (c *ManifestCache) Get(ctx context.Context, channel string) (Manifest, error) {
	key := manifestKey(channel)
	raw, err := c.st.Get(ctx, key)
	if err == nil {
		var m Manifest
		if err := json.Unmarshal(raw, &m); err == nil {
			if m.Missing {
				return Manifest{}, ErrUnknownChannel
			}
			return m, nil
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Manifest{}, err
	}
	m, _, err := c.group.Do(ctx, channel, func(ctx context.Context) (Manifest, error) {
		m, err := c.origin.Fetch(ctx, channel)
		if errors.Is(err, ErrUnknownChannel) {
			miss := Manifest{Channel: channel, Missing: true}
			return miss, c.fill(ctx, key, miss, c.negativeTTL)
		}
		if err != nil {
			return Manifest{}, err
		}
		return m, c.fill(ctx, key, m, c.ttl)
	})
	if err == nil && m.Missing {
		return Manifest{}, ErrUnknownChannel
	}
	return m, err
}

// PublishIndex records the list of known channels for the admin console.
func (c *ManifestCache) PublishIndex(ctx context.Context, channels []string) error {
	b, err := json.Marshal(map[string]any{"channels": channels, "at": time.Now().UTC()})
	if err != nil {
		return err
	}
	return c.st.Put(ctx, channelIndexKey, b, storage.PutOptions{}) // EXPECT kvlimits
}
