//go:build js && wasm

package edge

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Beacon is what the tracking script posts.
type Beacon struct {
	Site     string `json:"s"`
	URL      string `json:"u"`
	Referrer string `json:"r"`
	Event    string `json:"e"`
	Width    int    `json:"w"`
}

// siteConfig is the part of the site settings the edge needs.
type siteConfig struct {
	SamplePercent int      `json:"sample_percent"`
	ExcludePaths  []string `json:"exclude_paths"`
	RespectDNT    bool     `json:"respect_dnt"`
}

const (
	pageViewRetention = 30 * 24 * 60 * 60
	ipBudgetPerMinute = 120
)

func (wk *Worker) beacon(w http.ResponseWriter, r *http.Request) {
	var b Beacon
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&b); err != nil || b.Site == "" {
		http.Error(w, "bad beacon", http.StatusBadRequest)
		return
	}
	u, err := url.Parse(b.URL)
	if err != nil {
		http.Error(w, "bad url", http.StatusBadRequest)
		return
	}
	ip := r.Header.Get("CF-Connecting-IP")
	visitor := visitorHash(b.Site, ip, r.UserAgent())

	if optedOut, _ := wk.kv.GetString("optout:"+visitor, nil); optedOut != "" { // EXPECT kvnull
		w.WriteHeader(http.StatusNoContent)
		return
	}
	conf, err := wk.siteConfig(b.Site)
	if err != nil {
		http.Error(w, "unknown site", http.StatusNotFound)
		return
	}
	if conf.RespectDNT && r.Header.Get("DNT") == "1" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if slices.ContainsFunc(conf.ExcludePaths, func(p string) bool { return strings.HasPrefix(u.Path, p) }) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !wk.allow(ip) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if pct := wk.samplePercent(b.Site); pct < 100 && int(visitor[0])%100 >= pct {
		w.WriteHeader(http.StatusNoContent)
		return
	}

	seenKey := "seen:" + b.Site + ":" + visitor + ":" + u.Path
	if v, err := wk.kv.GetString(seenKey, nil); err == nil && v != "<null>" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := wk.kv.PutString(seenKey, "1", &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	}); err != nil {
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}

	now := time.Now().UTC()
	rec, _ := json.Marshal(map[string]any{"p": u.Path, "r": refHost(b.Referrer), "e": b.Event, "w": b.Width, "v": visitor})
	evKey := "pv:" + b.Site + ":" + now.Format("20060102T150405") + ":" + nonce()
	if err := wk.kv.PutString(evKey, string(rec), &cloudflare.KVNamespacePutOptions{ExpirationTTL: pageViewRetention}); err != nil {
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}
	if err := wk.bumpViews(b.Site, now.Format("20060102")); err != nil {
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}
	_ = wk.kv.PutString("beacon:last", now.Format(time.RFC3339), nil) // EXPECT kvhotkey

	if host := refHost(b.Referrer); host != "" && host != u.Host {
		cloudflare.WaitUntil(func() { wk.noteReferrer(b.Site, host) })
	}
	w.WriteHeader(http.StatusNoContent)
}

// siteConfig reads the settings the backend mirrors for the edge.
func (wk *Worker) siteConfig(site string) (siteConfig, error) {
	var c siteConfig
	raw, err := wk.kv.GetString("settings:"+site, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(raw), &c)
}

// samplePercent returns the sampling rate set for a site by support.
func (wk *Worker) samplePercent(site string) int {
	v, err := wk.kv.GetString("sample:"+site, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // DEBATABLE kvnull
	if err != nil {
		return 100
	}
	pct, err := strconv.Atoi(v)
	if err != nil {
		return 100
	}
	return pct
}

// allow applies a per-IP budget of beacons per minute.
func (wk *Worker) allow(ip string) bool {
	key := "rl:" + ip + ":" + time.Now().UTC().Format("200601021504")
	v, err := wk.kv.GetString(key, nil)
	if err != nil {
		return true
	}
	n := 0
	if v == "" { // EXPECT kvnull
		n = 0
	} else {
		n, _ = strconv.Atoi(v)
	}
	if n >= ipBudgetPerMinute {
		return false
	}
	_ = wk.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
	return true
}

// bumpViews adds one to the site's page views of the day.
func (wk *Worker) bumpViews(site, day string) error {
	key := "views:" + site + ":" + day
	v, err := wk.kv.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	return wk.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3 * 24 * 3600}) // EXPECT kvcounter|kvrace
}

// noteReferrer keeps the last 50 distinct referrer hosts of a site.
func (wk *Worker) noteReferrer(site, host string) {
	key := "refs:" + site
	var refs []string
	if v, err := wk.kv.GetString(key, nil); err == nil && v != "<null>" {
		_ = json.Unmarshal([]byte(v), &refs)
	}
	if slices.Contains(refs, host) {
		return
	}
	refs = append([]string{host}, refs...)
	refs = refs[:min(len(refs), 50)]
	b, _ := json.Marshal(refs)
	_ = wk.kv.PutString(key, string(b), nil) // EXPECT kvrace
}

func visitorHash(site, ip, ua string) string {
	day := time.Now().UTC().Format("20060102")
	sum := sha256.Sum256([]byte(day + "|" + site + "|" + ip + "|" + ua))
	return hex.EncodeToString(sum[:12])
}

func refHost(ref string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Host, "www.")
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
