// Package linkpreview unfurls links posted in messages (title, description,
// image) and caches the result so a link shared in a busy channel is fetched
// once, not once per viewer.
package linkpreview

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Preview is what the client renders under a link.
type Preview struct {
	URL         string    `json:"url"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Image       string    `json:"image,omitempty"`
	SiteName    string    `json:"site_name,omitempty"`
	Failed      bool      `json:"failed,omitempty"`
	Fetched     time.Time `json:"fetched"`
}

// ErrUnavailable means the page could not be unfurled recently.
var ErrUnavailable = errors.New("linkpreview: preview unavailable")

// Fetcher unfurls one URL and says how long the origin allows caching it.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (Preview, time.Duration, error)
}

const (
	minTTL         = time.Minute
	maxTTL         = 24 * time.Hour
	failureBackoff = 30 * time.Second
	maxReadableKey = 400
)

// onboardingTourURL is linked from the welcome message of every new
// workspace, so its preview is stored at startup instead of fetched.
const onboardingTourURL = "https://relay.example.com/welcome/tour?step=1&utm_source=relay-app&utm_medium=in-product" +
	"&utm_campaign=onboarding-2024-q3-general-channel-pin&utm_content=default-workspace-welcome-message" +
	"&utm_term=first-run&ref=workspace-created&variant=b-illustrated-checklist" +
	"&return_to=https%3A%2F%2Frelay.example.com%2Fapp%2Fworkspaces%2Fcurrent%2Fchannels%2Fgeneral%3Fopen%3Dwelcome-panel" +
	"%26highlight%3Dinvite-teammates%2Cset-up-profile%2Cinstall-mobile-app%2Cconnect-calendar" +
	"&checklist=invite-teammates,set-up-profile,install-mobile-app,connect-calendar,create-first-channel,try-threads,try-reactions" +
	"&lang=en&theme=auto"

// Cache is a read-through preview cache.
type Cache struct {
	st         store.Store
	fetch      Fetcher
	defaultTTL time.Duration
	now        func() time.Time
}

// New returns a cache; defaultTTL applies when the origin sends no max-age.
func New(st store.Store, f Fetcher, defaultTTL time.Duration) *Cache {
	return &Cache{st: st, fetch: f, defaultTTL: defaultTTL, now: time.Now}
}

func hashURL(u string) string {
	sum := sha256.Sum256([]byte(u))
	return hex.EncodeToString(sum[:16])
}

// key keeps short URLs readable in the dashboard and hashes long ones.
func key(u string) string {
	u = strings.TrimSpace(u)
	if len(u) > maxReadableKey {
		return kvkey.Previews.Child("h", hashURL(u)).String()
	}
	return kvkey.Previews.Child(u).String()
}

func (c *Cache) ttlFor(maxAge time.Duration) time.Duration {
	ttl := c.defaultTTL
	if maxAge > 0 {
		ttl = maxAge
	}
	return min(max(ttl, minTTL), maxTTL)
}

// Get returns the preview of u, fetching it on a miss.
func (c *Cache) Get(ctx context.Context, u string) (*Preview, error) {
	k := key(u)
	raw, err := c.st.Get(ctx, k)
	switch {
	case err == nil:
		var p Preview
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("linkpreview: cached %s: %w", k, err)
		}
		if p.Failed {
			return nil, ErrUnavailable
		}
		return &p, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}

	p, maxAge, err := c.fetch.Fetch(ctx, u)
	if err != nil {
		neg, _ := json.Marshal(Preview{URL: u, Failed: true, Fetched: c.now().UTC()})
		_ = c.st.Put(ctx, k, neg,
			store.WithTTL(failureBackoff)) // EXPECT kvttl
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	p.URL, p.Fetched = u, c.now().UTC()
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := c.st.Put(ctx, k, b, store.WithTTL(c.ttlFor(maxAge))); err != nil {
		return &p, err
	}
	return &p, nil
}

// Warm stores the previews we know in advance.
func (c *Cache) Warm(ctx context.Context) error {
	p := Preview{
		URL:         onboardingTourURL,
		Title:       "Welcome to Relay",
		Description: "A five-minute tour: invite your team, set up your profile and start your first channel.",
		Image:       "https://relay.example.com/static/og/welcome.png",
		SiteName:    "Relay",
		Fetched:     c.now().UTC(),
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, kvkey.Previews.Child(onboardingTourURL).String(), b) // EXPECT kvlimits
}

// RecordClick notes that someone opened the link, for the "popular links"
// panel.
func (c *Cache) RecordClick(ctx context.Context, u string) error {
	k := kvkey.Previews.Child("hits", hashURL(u)).String()
	raw, err := c.st.Get(ctx, k) // EXPECT kvnull
	n := 0
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	return c.st.Put(ctx, k, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}
