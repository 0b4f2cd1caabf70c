//go:build js && wasm

// Package feeds serves public RSS feeds from KV. Small feeds are one value
// filled from the origin on a miss; feeds of shows with thousands of
// episodes are split into parts described by a manifest.
package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/siskinfm/siskin/internal/edgekv"
)

// feedCacheLife is how long a published small feed stays in KV before the
// origin renders it again.
const feedCacheLife = 10 * time.Minute

// partSize is the size of one stored part of a large feed.
const partSize = 4 << 20

const feedStatusKey = "rss:status"

// manifest describes a feed stored in parts.
type manifest struct {
	ETag    string    `json:"etag"`
	Parts   int       `json:"parts"`
	Size    int       `json:"size"`
	Written int       `json:"written"`
	At      time.Time `json:"at"`
}

func manifestKey(show string) string      { return "rss:manifest:" + show }
func draftManifestKey(show string) string { return "rss:manifest-draft:" + show }
func partKey(show, etag string, i int) string {
	return "rss:part:" + show + ":" + etag + ":" + strconv.Itoa(i)
}

// Feeds serves /feeds/<show>.xml.
type Feeds struct {
	ns     *edgekv.Namespace
	origin string
	small  edgekv.ReadThrough
}

// New returns Feeds reading misses from the origin API.
func New(ns *edgekv.Namespace, origin string) *Feeds {
	f := &Feeds{ns: ns, origin: strings.TrimSuffix(origin, "/")}
	f.small = edgekv.ReadThrough{
		Base:     edgekv.Base{NS: ns, Prefix: "rss:small:", Life: 5 * time.Minute},
		Origin:   edgekv.LoaderFunc(f.render),
		CacheTTL: 10, // EXPECT kvttl
	}
	return f
}

// render asks the origin for the feed XML of a show.
func (f *Feeds) render(ctx context.Context, show string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.origin+"/internal/feeds/"+show, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("feeds: origin returned %s for %s", res.Status, show)
	}
	return io.ReadAll(res.Body)
}

func (f *Feeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	show := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feeds/"), ".xml")
	if show == "" || strings.Contains(show, "/") {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	_ = f.ns.PutString(feedStatusKey, show+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	raw, err := f.ns.GetString(manifestKey(show), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if raw != edgekv.Missing {
		var m manifest
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			http.Error(w, "corrupt manifest", http.StatusInternalServerError)
			return
		}
		f.serveParts(w, r, show, m)
		return
	}
	body, err := f.small.Get(ctx, show)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write(body)
}

func (f *Feeds) serveParts(w http.ResponseWriter, r *http.Request, show string, m manifest) {
	if r.Header.Get("If-None-Match") == `"`+m.ETag+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("ETag", `"`+m.ETag+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(m.Size))
	for i := 0; i < m.Parts; i++ {
		rd, err := f.ns.GetReader(partKey(show, m.ETag, i), &kv.GetOptions{CacheTTL: 3600})
		if err != nil {
			return
		}
		if _, err := io.Copy(w, rd); err != nil {
			return
		}
	}
}

// Publish stores a freshly rendered small feed so the next request does not
// have to go to the origin.
func (f *Feeds) Publish(ctx context.Context, show string, xml []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.ns.PutString(f.small.Key(show), string(xml), &kv.PutOptions{
		ExpirationTTL: int(feedCacheLife), // EXPECT kvttl
	})
}

// Republish stores a large feed in parts. Parts are keyed by the content
// hash, so readers of the old manifest keep seeing a complete old feed
// until the new manifest is written.
func (f *Feeds) Republish(ctx context.Context, show string, xml []byte) error {
	var old manifest
	raw, err := f.ns.GetString(manifestKey(show), nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), &old); err != nil {
		return fmt.Errorf("feeds: manifest of %s: %w", show, err)
	}

	sum := sha256.Sum256(xml)
	m := manifest{ETag: hex.EncodeToString(sum[:12]), Size: len(xml), Parts: (len(xml) + partSize - 1) / partSize}
	if m.ETag == old.ETag {
		return nil
	}
	for i := 0; i < m.Parts; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo := i * partSize
		part := xml[lo:min(lo+partSize, len(xml))]
		if err := f.ns.PutReader(partKey(show, m.ETag, i), bytes.NewReader(part), nil); err != nil {
			return err
		}
		m.Written, m.At = i+1, time.Now()
		draft, _ := json.Marshal(m)
		if err := f.ns.PutString(draftManifestKey(show), string(draft), &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	final, _ := json.Marshal(m)
	if err := f.ns.PutString(manifestKey(show), string(final), nil); err != nil {
		return err
	}
	for i := 0; i < old.Parts; i++ {
		_ = f.ns.Delete(partKey(show, old.ETag, i))
	}
	return nil
}

// PartKeys returns one page of stored part keys of a show, for the
// storage-usage page, and the cursor of the next page.
func (f *Feeds) PartKeys(ctx context.Context, show, cursor string) ([]string, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	res, err := f.ns.List(&kv.ListOptions{
		Prefix: "rss:part:" + show + ":",
		Limit:  5000, // EXPECT kvlimits
		Cursor: cursor,
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}
