package modproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/hoiho-dev/hoiho/internal/blobs"
	"github.com/hoiho-dev/hoiho/internal/kvstore"
	"github.com/hoiho-dev/hoiho/internal/stats"
)

// Server answers GOPROXY requests. Private modules are served from KV and
// the blob store; everything else is fetched from Upstream and cached.
type Server struct {
	KV       *kvstore.Store
	Blobs    *blobs.Store
	Stats    *stats.Recorder
	Upstream string // e.g. https://proxy.golang.org
	Client   *http.Client
	Log      *slog.Logger
}

// Info is the JSON document served for .info and @latest.
type Info struct {
	Version string    `json:"Version"`
	Time    time.Time `json:"Time"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	req, err := ParseRequest(r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	ctx := r.Context()
	var body []byte
	switch req.Kind {
	case KindList:
		body, err = s.versionList(ctx, req)
	case KindInfo:
		body, err = s.cached(ctx, infoKey(req.Escaped, req.Version), req)
	case KindMod:
		body, err = s.cached(ctx, modFileKey(req.Escaped, req.Version), req)
	case KindZip:
		s.serveZip(w, r, req)
		return
	case KindLatest:
		body, err = s.latest(ctx, req)
	}
	if errors.Is(err, errNoSuchModule) {
		http.Error(w, "not found: "+req.Module, http.StatusNotFound)
		return
	}
	if err != nil {
		s.Log.Error("goproxy", "module", req.Module, "kind", req.Kind, "err", err)
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(req.Kind.CacheLifetime().Seconds())))
	w.Write(body)
}

var errNoSuchModule = errors.New("modproxy: no such module")

// cached serves an immutable per-version file, filling KV from upstream on a miss.
func (s *Server) cached(ctx context.Context, key string, req Request) ([]byte, error) {
	raw, err := s.KV.Get(ctx, key)
	if err == nil {
		return raw, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	raw, err = s.fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.KV.Put(ctx, key, raw, req.Kind.CacheLifetime()); err != nil {
		s.Log.Warn("cache fill", "key", key, "err", err)
	}
	return raw, nil
}

func (s *Server) latest(ctx context.Context, req Request) ([]byte, error) {
	key := latestKey(req.Escaped)
	if raw, err := s.KV.Get(ctx, key); err == nil {
		return raw, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	raw, err := s.fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	return raw, s.KV.Put(ctx, key, raw, KindLatest.CacheLifetime()) // EXPECT kvttl
}

// versionList serves @v/list from the per-module version index. Modules
// published before the index existed get it rebuilt from their cached infos.
func (s *Server) versionList(ctx context.Context, req Request) ([]byte, error) {
	var versions []string
	err := s.KV.GetJSON(ctx, versionsKey(req.Escaped), &versions)
	switch {
	case err == nil:
	case errors.Is(err, kvstore.ErrNotFound):
		keys, _, lerr := s.KV.Page(ctx, "gomod:info:"+req.Escaped+"@", "", 1000) // EXPECT kvlist
		if lerr != nil {
			return nil, lerr
		}
		for _, k := range keys {
			_, v, _ := strings.Cut(k.Name, "@")
			versions = append(versions, v)
		}
		if len(versions) == 0 {
			return s.fetch(ctx, req)
		}
	default:
		return nil, err
	}
	sort.Slice(versions, func(i, j int) bool { return semver.Compare(versions[i], versions[j]) < 0 })
	return []byte(strings.Join(versions, "\n") + "\n"), nil
}

func (s *Server) serveZip(w http.ResponseWriter, r *http.Request, req Request) {
	ctx := r.Context()
	digest, err := s.KV.Get(ctx, zipRefKey(req.Escaped, req.Version))
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	data, err := s.Blobs.Open(ctx, string(digest))
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Cache-Control", "public, max-age=604800, immutable")
	w.Write(data)

	mod, ver := req.Module, req.Version
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.Stats.Download(ctx, mod, ver); err != nil {
			s.Log.Warn("stats", "err", err)
		}
	}()
}

func (s *Server) fetch(ctx context.Context, req Request) ([]byte, error) {
	var suffix string
	switch req.Kind {
	case KindList:
		suffix = "/@v/list"
	case KindLatest:
		suffix = "/@latest"
	default:
		suffix = "/@v/" + EscapePath(req.Version) + "." + req.Kind.String()
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Upstream+"/"+req.Escaped+suffix, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.Client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	case http.StatusNotFound, http.StatusGone:
		return nil, errNoSuchModule
	}
	return nil, fmt.Errorf("upstream %s: %s", req.Kind, resp.Status)
}

// Publish stores a module version uploaded by a registry user.
func (s *Server) Publish(ctx context.Context, owner string, mod, ver string, modFile, zip []byte) error {
	esc := EscapePath(mod)
	if err := s.claim(ctx, esc, owner); err != nil {
		return err
	}
	digest, err := s.Blobs.Put(ctx, zip)
	if err != nil {
		return err
	}
	info, _ := json.Marshal(Info{Version: ver, Time: time.Now().UTC()})
	if err := s.KV.Put(ctx, infoKey(esc, ver), info, 0); err != nil {
		return err
	}
	if err := s.KV.Put(ctx, modFileKey(esc, ver), modFile, 0); err != nil {
		return err
	}
	if err := s.KV.Put(ctx, zipRefKey(esc, ver), []byte(digest), 0); err != nil {
		return err
	}
	if err := s.recordVersion(ctx, esc, ver); err != nil {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := s.KV.Put(ctx, "gomod:catalog:updated", stamp, 0); err != nil { // EXPECT kvhotkey
		return err
	}
	return s.KV.Delete(ctx, latestKey(esc))
}

var errNotOwner = errors.New("modproxy: module path is owned by another account")

// claim reserves a module path for the first account that publishes it.
func (s *Server) claim(ctx context.Context, esc, owner string) error {
	cur, err := s.KV.Get(ctx, ownerKey(esc))
	switch {
	case err == nil && string(cur) == owner:
		return nil
	case err == nil:
		return errNotOwner
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.KV.Put(ctx, ownerKey(esc), []byte(owner), 0) // EXPECT kvrace
}

func (s *Server) recordVersion(ctx context.Context, esc, ver string) error {
	var versions []string
	raw, err := s.KV.Get(ctx, versionsKey(esc)) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &versions)
	}
	for _, v := range versions {
		if v == ver {
			return nil
		}
	}
	versions = append(versions, ver)
	out, _ := json.Marshal(versions)
	return s.KV.Put(ctx, versionsKey(esc), out, 0) // EXPECT kvrace
}
