// Package audio caches pronunciation clips produced by the text-to-speech
// service. Clips are immutable per (locale, voice, word), so lifetimes come
// from the upstream's caching headers, bounded by configuration.
package audio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/expiry"
	"example.com/linnet/internal/storage"
)

var (
	ErrUnsupported  = errors.New("audio: word not available in this locale")
	ErrUpstreamBusy = errors.New("audio: speech service is throttling, try later")
)

// Short negative entry, so a voice pack that is mid-deploy is retried soon.
const negativeTTL = 30 * time.Second

// DefaultVoice is the voice used unless a learner picks another.
const DefaultVoice = "neutral"

// Cache is a cache-aside layer over the speech service.
type Cache struct {
	store  storage.Store
	client *http.Client
	cfg    config.Audio
}

func New(store storage.Store, cfg config.Audio, client *http.Client) *Cache {
	return &Cache{store: store, cfg: cfg, client: client}
}

// Key is the storage key of a clip. Words are hashed: some phrases are long
// and may contain characters that are awkward in keys.
func Key(locale, voice, word string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(word))))
	return "audio:" + locale + ":" + voice + ":" + hex.EncodeToString(sum[:16])
}

func (c *Cache) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.Upstream+path, nil)
	if err != nil {
		return nil, err
	}
	return c.client.Do(req)
}

// Clip returns the clip for word, fetching and caching it on a miss.
func (c *Cache) Clip(ctx context.Context, locale, word string) ([]byte, error) {
	key := Key(locale, DefaultVoice, word)
	clip, err := c.store.Get(ctx, key)
	switch {
	case err == nil && len(clip) == 0:
		return nil, ErrUnsupported
	case err == nil:
		return clip, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	if _, err := c.store.Get(ctx, "audio-backoff:"+locale); err == nil {
		return nil, ErrUpstreamBusy
	}
	resp, err := c.get(ctx, "/speak?"+url.Values{"locale": {locale}, "voice": {DefaultVoice}, "text": {word}}.Encode())
	if err != nil {
		return nil, fmt.Errorf("audio: speech service: %w", err)
	}
	defer resp.Body.Close()
	now := time.Now()
	switch resp.StatusCode {
	case http.StatusOK:
		if clip, err = io.ReadAll(io.LimitReader(resp.Body, 2<<20)); err != nil {
			return nil, err
		}
		ttl := expiry.Lifetime(resp.Header, now, c.cfg.MinTTL, c.cfg.MaxTTL, c.cfg.FallbackTTL, c.cfg.Jitter)
		return clip, c.store.Put(ctx, key, clip, storage.WithTTL(ttl))
	case http.StatusNotFound:
		if err := c.store.Put(ctx, key, nil, storage.WithTTL(negativeTTL)); err != nil { // EXPECT kvttl
			return nil, err
		}
		return nil, ErrUnsupported
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		ra, ok := expiry.FromRetryAfter(resp.Header, now)
		if !ok {
			ra = time.Minute
		}
		backoff := max(ra, 5*time.Second) // EXPECT kvttl
		if err := c.store.Put(ctx, "audio-backoff:"+locale, []byte(now.Format(time.RFC3339)), storage.WithTTL(backoff)); err != nil {
			return nil, err
		}
		return nil, ErrUpstreamBusy
	}
	return nil, fmt.Errorf("audio: speech service answered %s", resp.Status)
}

// remember writes a small derived value. KV keeps nothing for less than a
// minute, so shorter lifetimes are rounded up.
func (c *Cache) remember(ctx context.Context, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.Put(ctx, key, raw, storage.WithTTL(ttl))
}

// Voice describes one upstream voice.
type Voice struct {
	ID, Gender, Label string
}

// Voices lists the voices available for locale. The list changes when the
// speech team ships a voice, so it is only cached briefly.
func (c *Cache) Voices(ctx context.Context, locale string) ([]Voice, error) {
	key := "audio-voices:" + locale
	if v, err := storage.GetJSON[[]Voice](ctx, c.store, key); !errors.Is(err, storage.ErrNotFound) {
		return v, err
	}
	resp, err := c.get(ctx, "/voices?locale="+url.QueryEscape(locale))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var voices []Voice
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("audio: voices: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&voices); err != nil {
		return nil, err
	}
	return voices, c.remember(ctx, key, voices, 10*time.Second)
}
