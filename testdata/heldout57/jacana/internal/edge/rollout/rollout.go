//go:build js && wasm

// Package rollout reads the feature rollout plan and the course catalog that
// the backend publishes to edge KV.
package rollout

import (
	"encoding/json"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/edge/edgekv"
)

// Flag mirrors catalog.Flag.
type Flag struct {
	Name     string   `json:"name"`
	Percent  int      `json:"percent"`
	Locales  []string `json:"locales,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
}

// Manifest mirrors catalog.Manifest.
type Manifest struct {
	Flags       []string  `json:"flags"`
	PublishedAt time.Time `json:"published_at"`
}

// Reader reads the published plan.
type Reader struct {
	NS *edgekv.NS
}

// Flag returns one flag; a flag that was never published is off.
func (r *Reader) Flag(name string) (Flag, error) {
	raw, err := r.NS.Raw().GetString("rollout:flag:"+name, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return Flag{}, err
	}
	if raw == "" { // EXPECT kvnull
		return Flag{Name: name}, nil
	}
	var f Flag
	return f, json.Unmarshal([]byte(raw), &f)
}

// Enabled reports whether learner falls inside the flag's rollout.
func (r *Reader) Enabled(name, learner, locale string) bool {
	f, err := r.Flag(name)
	if err != nil || f.Disabled || f.Percent == 0 {
		return false
	}
	if len(f.Locales) > 0 && !slices.Contains(f.Locales, locale) {
		return false
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name + "/" + learner))
	return int(h.Sum32()%100) < f.Percent
}

// Manifest returns the list of published flags. Operators watch this while a
// rollout is in progress, so it is cached only briefly.
func (r *Reader) Manifest() (Manifest, bool, error) {
	raw, err := r.NS.Raw().GetString("rollout:manifest", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return Manifest{}, false, err
	}
	if raw == "<null>" {
		return Manifest{}, false, nil
	}
	var m Manifest
	return m, true, json.Unmarshal([]byte(raw), &m)
}

// Course returns a published course's JSON.
func (r *Reader) Course(slug string) (json.RawMessage, bool, error) {
	raw, ok, err := r.NS.GetCached("course:"+url.PathEscape(slug), 5*time.Minute)
	if err != nil || !ok {
		return nil, ok, err
	}
	return json.RawMessage(raw), true, nil
}

// Banner is an active maintenance banner.
type Banner struct {
	Key  string `json:"key"`
	Note string `json:"note"`
}

// Banners returns the active maintenance banners.
func (r *Reader) Banners() ([]Banner, error) {
	res, err := r.NS.Raw().List(&kv.ListOptions{Prefix: "banner:"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Banner, 0, len(res.Keys))
	for _, k := range res.Keys {
		note, ok, err := r.NS.Get(k.Name) // EXPECT kvlist
		if err != nil || !ok {
			continue
		}
		out = append(out, Banner{Key: strings.TrimPrefix(k.Name, "banner:"), Note: note})
	}
	return out, nil
}
