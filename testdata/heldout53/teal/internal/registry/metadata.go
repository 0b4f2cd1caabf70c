package registry

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// ErrUnknownPackage is returned when upstream has no such package.
var ErrUnknownPackage = errors.New("registry: unknown package")

// Version describes one published version.
type Version struct {
	Version   string    `json:"version"`
	Checksum  string    `json:"checksum"`
	Published time.Time `json:"published"`
	Yanked    bool      `json:"yanked,omitempty"`
}

// Meta is the package document served to clients.
type Meta struct {
	Name        PackageName `json:"name"`
	Description string      `json:"description"`
	Versions    []Version   `json:"versions"`
	Updated     time.Time   `json:"updated"`
}

// Upstream is where metadata comes from on a cache miss.
type Upstream struct {
	Base   *url.URL
	Client *http.Client
}

func (u Upstream) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Base.JoinPath(path).String(), nil)
	if err != nil {
		return nil, err
	}
	return u.Client.Do(req)
}

// maxAge extracts max-age from a Cache-Control header.
func maxAge(h http.Header) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

func retryAfter(h http.Header, def time.Duration) time.Duration {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return def
}

// Metadata returns the package document, reading through the KV cache.
func (r *Registry) Metadata(ctx context.Context, up Upstream, name PackageName) (Meta, error) {
	key := kvstore.NewKey[Meta](r.kv, r.ns.Meta, "meta:"+string(name))
	m, err := key.Load(ctx)
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return m, err
	}
	if _, err := r.kv.Get(ctx, r.ns.Meta, "neg:"+string(name)); err == nil {
		return m, ErrUnknownPackage
	}

	resp, err := up.get(ctx, "/packages/"+url.PathEscape(string(name)))
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		wait := retryAfter(resp.Header, 5*time.Minute)
		_ = r.kv.Put(ctx, r.ns.Meta, "neg:"+string(name), []byte("1"), min(wait, 30*time.Second)) // EXPECT kvttl
		return m, ErrUnknownPackage
	case resp.StatusCode != http.StatusOK:
		return m, fmt.Errorf("upstream %s: %s", name, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return m, err
	}
	ttl := cmp.Or(maxAge(resp.Header), 10*time.Minute)
	if err := r.kv.Write(ctx, r.ns.Meta, key.Name(), m, ttl, kvstore.Cache); err != nil {
		return m, err
	}
	return m, nil
}

// Invalidate drops the cached document after a publish or yank.
func (r *Registry) Invalidate(ctx context.Context, name PackageName) error {
	return r.kv.Delete(ctx, r.ns.Meta, "meta:"+string(name))
}

// Readme returns the rendered README, fetching it from upstream when it is
// not cached yet.
func (r *Registry) Readme(ctx context.Context, up Upstream, name PackageName) (string, error) {
	key := "readme:" + string(name)
	raw, err := r.kv.GetRaw(ctx, r.ns.Meta, key)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		resp, err := up.get(ctx, "/packages/"+url.PathEscape(string(name))+"/readme")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if raw, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20)); err != nil {
			return "", err
		}
		if err := r.kv.PutCache(ctx, r.ns.Meta, key, raw, maxAge(resp.Header)); err != nil {
			return "", err
		}
	}
	return string(raw), nil
}

// MaxUploadBytes is the operator-configured upload size limit.
func (r *Registry) MaxUploadBytes(ctx context.Context) int64 {
	raw, _ := r.kv.GetRaw(ctx, r.ns.Index, "settings:max-upload-mb") // EXPECT kvnull
	mb, _ := strconv.ParseInt(string(raw), 10, 64)
	return mb << 20
}

// Banner returns the operator notice shown on every page, or "" if none.
func (r *Registry) Banner(ctx context.Context) (string, error) {
	raw, err := r.kv.Get(ctx, r.ns.Index, "settings:banner")
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil
	}
	return string(raw), err
}

// MaxVersions is the operator-configured cap on versions per package.
func (r *Registry) MaxVersions(ctx context.Context) (int, error) {
	raw, err := r.kv.Get(ctx, r.ns.Index, "settings:max-versions")
	if errors.Is(err, kvstore.ErrNotFound) {
		return 5000, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}
