package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/tealpkg/teal/internal/cfv2"
)

// upstreamNotice is attached to every mirrored entry so edge readers can
// show where the data came from without fetching the value.
const upstreamNotice = "This package document is mirrored from the upstream community index. " +
	"The mirror does not alter package contents; checksums are verified against the upstream " +
	"signing key before a version is served. Yanked versions remain downloadable by exact " +
	"version for reproducible builds but are hidden from resolution. Ownership changes made " +
	"upstream can take up to one sync interval to appear here. To report a problem with a " +
	"mirrored package, contact the upstream registry maintainers; problems with the mirror " +
	"itself (stale data, missing versions, failing downloads) go to the mirror operators at " +
	"the address published on the status page. The mirror keeps download statistics of its " +
	"own which are not forwarded upstream. Package authors may request that a package be " +
	"excluded from mirroring by setting the no-mirror flag in their upstream package settings; " +
	"excluded packages are removed from the mirror at the next full sync. This notice is " +
	"informational and does not change the licence under which a package is distributed. " +
	"See the mirror documentation for the full list of differences from upstream behaviour."

// Syncer is the mirror sync job. It walks the upstream index and copies
// changed entries into KV with cloudflare-go v2.
type Syncer struct {
	kv       cfv2.Target
	upstream *url.URL
	http     *http.Client
	maxPages int
	log      *slog.Logger
}

// NewSyncer returns a sync job.
func NewSyncer(t cfv2.Target, upstream *url.URL, maxPages int) *Syncer {
	return &Syncer{kv: t, upstream: upstream, http: &http.Client{Timeout: 20 * time.Second}, maxPages: maxPages, log: slog.Default()}
}

func (s *Syncer) fetch(ctx context.Context, cursor string) (UpstreamPage, error) {
	var page UpstreamPage
	u := s.upstream.JoinPath("/index")
	if cursor != "" {
		u.RawQuery = url.Values{"after": {cursor}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return page, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return page, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return page, fmt.Errorf("upstream index: %s", resp.Status)
	}
	return page, json.NewDecoder(resp.Body).Decode(&page)
}

func (s *Syncer) checkpoint(ctx context.Context) (string, error) {
	body, err := s.kv.Get(ctx, "mirror:checkpoint")
	if err != nil {
		return "", err
	}
	if len(body) == 0 { // EXPECT kvnull
		return "", nil
	}
	return string(body), nil
}

// Run copies up to maxPages pages of the upstream index.
func (s *Syncer) Run(ctx context.Context) error {
	cursor, err := s.checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("read checkpoint: %w", err)
	}
	for range s.maxPages {
		page, err := s.fetch(ctx, cursor)
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			body, err := json.Marshal(e)
			if err != nil {
				return err
			}
			meta := fmt.Sprintf(`{"latest":%q}`, e.Latest)
			if err := s.kv.Put(ctx, "pkg:"+e.Name, body, meta, 0); err != nil {
				return fmt.Errorf("write %s: %w", e.Name, err)
			}
			if err := s.kv.Put(ctx, "mirror:checkpoint", []byte(e.Name), "{}", 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	return nil
}

// SyncYanked writes the yanked list of each entry, one goroutine per entry.
func (s *Syncer) SyncYanked(ctx context.Context, entries []Entry) error {
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			body, _ := json.Marshal(e.Yanked)
			errs[i] = s.kv.Put(ctx, "yank:"+e.Name, body, "{}", 0)
			if errs[i] == nil {
				errs[i] = s.kv.Put(ctx, "mirror:progress", []byte(fmt.Sprintf("%d/%d", i+1, len(entries))), "{}", 0) // EXPECT kvhotkey
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// PublishBulk writes entries in one bulk request with the mirror notice in
// each key's metadata.
func (s *Syncer) PublishBulk(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		p := cfv2.Pair("pkg:"+e.Name, string(raw), 0)
		p.Metadata = cloudflare.F(map[string]interface{}{"latest": e.Latest, "notice": upstreamNotice}) // EXPECT kvlimits
		body = append(body, p)
	}
	return s.kv.PutBulk(ctx, body)
}

// PublishHints writes short-lived freshness hints for edge readers.
func (s *Syncer) PublishHints(ctx context.Context, names []string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(names))
	for _, n := range names {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("hint:" + n),
			Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
			ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
		})
	}
	return s.kv.PutBulk(ctx, body)
}

// PublishManifests writes manifests with the configured cache lifetime.
func (s *Syncer) PublishManifests(ctx context.Context, manifests map[string][]byte, ttl time.Duration) error {
	ttl = max(ttl, time.Minute)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(manifests))
	for name, m := range manifests {
		body = append(body, cfv2.Pair("manifest:"+name, string(m), ttl))
	}
	return s.kv.PutBulk(ctx, body)
}

// PruneHints deletes expired-upstream freshness hints.
func (s *Syncer) PruneHints(ctx context.Context, keep map[string]bool) (int, error) {
	iter := s.kv.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.kv.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F("hint:"),
	})
	pruned := 0
	for iter.Next() {
		k := iter.Current()
		if keep[strings.TrimPrefix(k.Name, "hint:")] {
			continue
		}
		if err := s.kv.Delete(ctx, k.Name); err != nil {
			return pruned, err
		}
		pruned++
	}
	return pruned, iter.Err()
}

// SampleKeys returns up to n key names under prefix, for the status page.
func (s *Syncer) SampleKeys(ctx context.Context, prefix string, n int) ([]string, error) {
	iter := s.kv.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.kv.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(n, 10), 1000))),
	})
	var out []string
	for len(out) < n && iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// StaleManifests lists manifest keys that expire within the next hour.
func (s *Syncer) StaleManifests(ctx context.Context) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F("manifest:"),
		Limit:     cloudflare.F(1000.0),
	}
	soon := float64(time.Now().Add(time.Hour).Unix())
	var stale []string
	for {
		page, err := s.kv.Client.KV.Namespaces.Keys.List(ctx, s.kv.Namespace, params) // EXPECT kvlist
		if err != nil {
			return stale, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			if k.Expiration > 0 && k.Expiration < soon {
				stale = append(stale, k.Name)
			}
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return stale, nil
}

// DocsKeys lists documentation keys, reading at most maxPages pages.
func (s *Syncer) DocsKeys(ctx context.Context, maxPages int) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F("docs:"),
		Limit:     cloudflare.F(1000.0),
	}
	var out []string
	for range maxPages {
		page, err := s.kv.Client.KV.Namespaces.Keys.List(ctx, s.kv.Namespace, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			out = append(out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.kv.AccountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return out, nil
}

// SigKeys lists signature keys, reading at most maxPages pages.
func (s *Syncer) SigKeys(ctx context.Context, maxPages int) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F("sig:"),
		Limit:     cloudflare.F(1000.0),
	}
	var out []string
	for range maxPages {
		page, err := s.kv.Client.KV.Namespaces.Keys.List(ctx, s.kv.Namespace, params)
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			out = append(out, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// HasEntries reports whether anything exists under prefix.
func (s *Syncer) HasEntries(ctx context.Context, prefix string) (bool, error) {
	page, err := s.kv.Client.KV.Namespaces.Keys.List(ctx, s.kv.Namespace, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.kv.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}

// LoadCheckpoint returns the saved cursor, or "" before the first run.
func (s *Syncer) LoadCheckpoint(ctx context.Context) (string, error) {
	body, err := s.kv.Get(ctx, "mirror:checkpoint")
	if cfv2.IsNotFound(err) {
		return "", nil
	}
	return string(body), err
}

// SaveCheckpoint stores the cursor after a run completes.
func (s *Syncer) SaveCheckpoint(ctx context.Context, cursor string) error {
	return s.kv.Put(ctx, "mirror:checkpoint", []byte(cursor), "{}", 0)
}
