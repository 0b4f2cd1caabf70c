//go:build js && wasm

package edge

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/edge/kvx"
)

type flagEntry struct {
	on      bool
	fetched time.Time
}

// flagCache lives as long as the isolate, in front of the flags namespace.
var flagCache sync.Map // name -> flagEntry

// Flags reads feature flags ("flag/<name>" = "true"/"false").
type Flags struct {
	ns       *kv.Namespace
	localTTL time.Duration
}

func NewFlags(ns *kv.Namespace, c config.Edge) *Flags {
	return &Flags{ns: ns, localTTL: c.FlagsLocalTTL.Duration}
}

// Enabled returns the flag's value, or def when it is unset or unreadable.
func (f *Flags) Enabled(name string, def bool) bool {
	if v, ok := flagCache.Load(name); ok {
		e := v.(flagEntry)
		if time.Since(e.fetched) < f.localTTL {
			return e.on
		}
	}
	raw, err := f.ns.GetString("flag/"+name, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return def
	}
	if raw == "" { // EXPECT kvnull
		return def
	}
	on, err := strconv.ParseBool(strings.TrimSpace(raw))
	if err != nil {
		return def
	}
	flagCache.Store(name, flagEntry{on: on, fetched: time.Now()})
	return on
}

// Override sets a flag for a limited time (at least a minute), e.g. to turn
// a feature off during an incident.
func (f *Flags) Override(name string, on bool, d time.Duration) error {
	flagCache.Delete(name)
	return kvx.PutText(f.ns, "flag/"+name, strconv.FormatBool(on), codec.Seconds(max(d, time.Minute)))
}

// SiteConfig is the public configuration served to the dashboard SPA.
type SiteConfig struct {
	Locales     []string `json:"locales"`
	DocsURL     string   `json:"docsUrl"`
	MaintWindow string   `json:"maintWindow,omitempty"`
}

// Site returns the site configuration; it changes a few times a year.
func (f *Flags) Site() (SiteConfig, error) {
	raw, err := kvx.GetCached(f.ns, "site/config", 600)
	if err != nil {
		return SiteConfig{}, err
	}
	def := SiteConfig{Locales: []string{"en"}, DocsURL: "https://docs.quarry.example"}
	if kvx.Missing(raw) {
		return def, nil
	}
	var cfg SiteConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return def, err
	}
	return cfg, nil
}

// Notice returns the localized notice shown above the dashboard, falling back
// to English.
func (f *Flags) Notice(locale string) (string, error) {
	msg, err := kvx.GetText(f.ns, "notice/"+strings.ToLower(locale))
	if err != nil {
		return "", err
	}
	if len(msg) == 0 { // EXPECT kvnull
		msg, err = kvx.GetText(f.ns, "notice/en")
		if err != nil || kvx.Missing(msg) {
			return "", err
		}
	}
	return msg, nil
}
