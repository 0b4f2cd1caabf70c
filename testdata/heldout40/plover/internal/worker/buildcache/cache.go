//go:build js && wasm

// Package buildcache serves CI cache entries keyed by content hash. Runners
// upload blobs in chunks to a staging key, then promote them; branches keep
// a manifest of the hashes they produced so that restores can fall back to
// the newest entry of the default branch.
package buildcache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/domain"
	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/keys"
)

const (
	lookupCacheTTL = 5 * time.Minute
	stagingTTL     = 2 * time.Hour
	manifestTTL    = 90 * 24 * time.Hour
	manifestMax    = 200
	chunkSize      = 4 << 20
)

var ErrMiss = errors.New("buildcache: miss")

// Cache is the build-cache service on the CACHE namespace.
type Cache struct {
	*edgekv.Store
	retention time.Duration
}

// New returns a Cache that keeps entries for retention.
func New(st *edgekv.Store, retention time.Duration) *Cache {
	return &Cache{Store: st, retention: retention}
}

func decodeEntry(raw string) (domain.CacheEntry, error) {
	var e domain.CacheEntry
	return e, enc.UnGob(raw, &e)
}

// Lookup returns the entry for ck.
func (c *Cache) Lookup(ck keys.CacheKey) (domain.CacheEntry, error) {
	raw, ok, err := c.GetCached(ck, lookupCacheTTL)
	if err != nil {
		return domain.CacheEntry{}, err
	}
	if !ok {
		return domain.CacheEntry{}, ErrMiss
	}
	c.countHit(ck.Project)
	return decodeEntry(raw)
}

// LookupFresh is used right after a promote, when the runner that uploaded
// an entry immediately restores it in the next job step.
func (c *Cache) LookupFresh(ck keys.CacheKey) (domain.CacheEntry, error) {
	raw, ok, err := c.GetCached(ck, 10*time.Second) // EXPECT kvttl
	if err != nil {
		return domain.CacheEntry{}, err
	}
	if !ok {
		return domain.CacheEntry{}, ErrMiss
	}
	return decodeEntry(raw)
}

// Upload streams a blob into staging chunks and records the upload progress
// so that an interrupted runner can resume.
func (c *Cache) Upload(ctx context.Context, uploadID string, ck keys.CacheKey, r io.Reader) (parts int, err error) {
	progress := keys.Key(keys.Upload.With(uploadID))
	buf := make([]byte, chunkSize)
read:
	for part := 0; ; part++ {
		select {
		case <-ctx.Done():
			return part, ctx.Err()
		default:
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			chunk := keys.Key(ck.Staging() + "/" + strconv.Itoa(part))
			if err := c.PutBytes(chunk, buf[:n], stagingTTL); err != nil {
				return part, err
			}
			if err := c.Put(progress, chunk.String(), stagingTTL); err != nil { // EXPECT kvhotkey
				return part, err
			}
			parts = part + 1
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			break read
		default:
			return part, rerr
		}
	}
	return parts, nil
}

// Promote turns a staged upload into a cache entry and adds it to the
// branch manifest.
func (c *Cache) Promote(ctx context.Context, ck keys.CacheKey, branch, runner string, size int64, parts int) error {
	entry := domain.CacheEntry{
		Hash:    ck.Hash,
		Size:    size,
		Runner:  runner,
		Created: time.Now(),
		Blob:    ck.Staging() + "/0.." + strconv.Itoa(parts),
	}
	raw, err := enc.Gob(entry)
	if err != nil {
		return err
	}
	uow := c.Batch()
	uow.Put(ck, raw, c.retention)
	uow.Delete(keys.Key(ck.Staging()))
	if err := uow.Commit(ctx); err != nil {
		return err
	}
	return c.Update(keys.ManifestKey{Project: ck.Project, Branch: branch}, manifestTTL, func(old string, found bool) (string, error) {
		var m domain.Manifest
		if found {
			if err := enc.UnGob(old, &m); err != nil {
				return "", err
			}
		}
		m.Branch = branch
		m.Hashes = append(m.Hashes, ck.Hash)
		if len(m.Hashes) > manifestMax {
			m.Hashes = m.Hashes[len(m.Hashes)-manifestMax:]
		}
		return enc.Gob(m)
	})
}

// SetDefaultBranch records the branch whose manifest restores fall back to.
func (c *Cache) SetDefaultBranch(project, branch string) error {
	return edgekv.StoreAs(c.Store, keys.ProjectMeta.With(project)+":default-branch", branch, 0)
}

// DefaultBranch returns the branch set by SetDefaultBranch, "main" if none.
func (c *Cache) DefaultBranch(project string) (string, error) {
	b, ok, err := edgekv.Load(c.Store, keys.ProjectMeta.With(project)+":default-branch", func(s string) (string, error) { return s, nil })
	if err != nil || !ok {
		return "main", err
	}
	return b, nil
}

// MergeManifests folds the manifest of branch from into branch into, which
// happens when a pull request is merged.
func (c *Cache) MergeManifests(ctx context.Context, project, from, into string) error {
	if into == "" {
		def, err := c.DefaultBranch(project)
		if err != nil {
			return err
		}
		into = def
	}
	type loaded struct {
		branch string
		m      domain.Manifest
	}
	branches := []string{from, into}
	out := make(chan loaded, len(branches))
	errc := make(chan error, len(branches))
	for _, br := range branches {
		go func() {
			raw, ok, err := c.Get(keys.ManifestKey{Project: project, Branch: br})
			if err != nil {
				errc <- err
				return
			}
			var m domain.Manifest
			if ok {
				if err := enc.UnGob(raw, &m); err != nil {
					errc <- err
					return
				}
			}
			out <- loaded{branch: br, m: m}
			errc <- nil
		}()
	}

	var mu sync.Mutex
	got := make(map[string]domain.Manifest, len(branches))
	for range branches {
		select {
		case err := <-errc:
			if err != nil {
				return err
			}
			l := <-out
			mu.Lock()
			got[l.branch] = l.m
			mu.Unlock()
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	merged := domain.Manifest{Branch: into, Hashes: slices.Clone(got[into].Hashes)}
	for _, h := range got[from].Hashes {
		if !slices.Contains(merged.Hashes, h) {
			merged.Hashes = append(merged.Hashes, h)
		}
	}
	raw, err := enc.Gob(merged)
	if err != nil {
		return err
	}
	return c.Put(keys.ManifestKey{Project: project, Branch: into}, raw, manifestTTL) // EXPECT kvrace
}

// Prefetch looks up several entries at once for a restore with fallback
// keys. Missing entries are left out of the result.
func (c *Cache) Prefetch(ctx context.Context, cks []keys.CacheKey) (map[string]domain.CacheEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()

	var mu sync.Mutex
	found := make(map[string]domain.CacheEntry, len(cks))
	errc := make(chan error, len(cks))
	for _, ck := range cks {
		go func() {
			e, err := c.Lookup(ck)
			if errors.Is(err, ErrMiss) {
				errc <- nil
				return
			}
			if err == nil {
				mu.Lock()
				found[ck.Hash] = e
				mu.Unlock()
			}
			errc <- err
		}()
	}
	for range cks {
		select {
		case err := <-errc:
			if err != nil {
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return found, nil
}

// Evict drops the entries of project, for example after its cache was
// disabled.
func (c *Cache) Evict(project string) (int, error) {
	res, err := c.NS().List(&cloudflare.KVNamespaceListOptions{Prefix: keys.CacheEntry.With(project + "/")}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	for _, k := range res.Keys {
		if err := c.NS().Delete(k.Name); err != nil {
			return 0, fmt.Errorf("buildcache: evict %s: %w", k.Name, err)
		}
	}
	return len(res.Keys), nil
}

// Sizes reports the size of each entry of project, reading at most maxPages
// pages of keys.
func (c *Cache) Sizes(project string, maxPages int) (map[string]int64, error) {
	prefix := keys.Prefix(keys.CacheEntry.With(project + "/"))
	sizes := make(map[string]int64)
	cursor := ""
	for page := 0; page < maxPages; page++ {
		names, next, err := c.Page(prefix, cursor)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			raw, ok, err := c.Get(keys.Key(name)) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			e, err := decodeEntry(raw)
			if err != nil {
				continue
			}
			sizes[prefix.Trim(name)] = e.Size
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return sizes, nil
}

// Usage counts the entries of project and how many of them expire within
// the next day, within the time left on ctx.
func (c *Cache) Usage(ctx context.Context, project string) (total, expiring int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: keys.CacheEntry.With(project + "/")}
	opts.Limit = 2 * edgekv.PageSize // EXPECT kvlimits
	soon := time.Now().Add(24 * time.Hour).Unix()
pages:
	for {
		select {
		case <-ctx.Done():
			break pages
		default:
		}
		res, err := c.NS().List(opts)
		if err != nil {
			return total, expiring, err
		}
		for _, k := range res.Keys {
			total++
			if k.Expiration != 0 && int64(k.Expiration) < soon {
				expiring++
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return total, expiring, nil
}

type hitCounter struct {
	mu     sync.Mutex
	totals map[string]int64
	dirty  map[string]bool
	timer  *time.Timer
}

var hits = &hitCounter{totals: map[string]int64{}, dirty: map[string]bool{}}

// countHit records a cache hit and schedules a flush; hits of the next two
// seconds are written together.
func (c *Cache) countHit(project string) {
	hits.mu.Lock()
	defer hits.mu.Unlock()
	hits.totals[project]++
	hits.dirty[project] = true
	if hits.timer == nil {
		hits.timer = time.AfterFunc(2*time.Second, func() { c.flushHits() })
	}
}

func (c *Cache) flushHits() {
	hits.mu.Lock()
	snapshot := make(map[string]int64, len(hits.dirty))
	for p := range hits.dirty {
		snapshot[p] = hits.totals[p]
	}
	hits.dirty = map[string]bool{}
	hits.timer = nil
	hits.mu.Unlock()

	for p, n := range snapshot {
		v := strconv.AppendInt(make([]byte, 0, 20), n, 10)
		_ = c.Put(keys.Key(keys.CacheHits.With(p)), string(v), 0) // EXPECT kvcounter
	}
}
