package httpapi

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
	"github.com/tealpkg/teal/internal/registry"
	"github.com/tealpkg/teal/internal/tokens"
)

type clientIP string

// window is the publish rate-limit state of one client address.
type window struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

func remoteIP(r *http.Request) clientIP {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return clientIP(ip)
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return clientIP(host)
}

// allowPublish applies the per-IP publish rate limit.
func (h *Handler) allowPublish(r *http.Request) (bool, error) {
	ctx, ip, now := r.Context(), remoteIP(r), time.Now()
	win := cmp.Or(h.app.cfg.PublishWindow, time.Minute)
	w, err := h.app.limits.Get(ctx, ip)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	if now.Sub(w.Start) > win {
		w = window{Start: now}
	}
	w.Count++
	ttl := max(2*win, 3*time.Second)                          // EXPECT kvttl
	if err := h.app.limits.Put(ctx, ip, w, ttl); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return w.Count <= h.app.cfg.PublishLimit, nil
}

// authenticate resolves the bearer token of a publish request.
func (h *Handler) authenticate(r *http.Request) (*tokens.Token, error) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, tokens.ErrInvalid
	}
	tok, err := h.app.tokens.Authenticate(r.Context(), raw)
	if err != nil {
		return nil, err
	}
	if err := tok.Touch(r.Context()); err != nil {
		h.app.log.Warn("touch token", "id", tok.ID, "err", err)
	}
	return tok, nil
}

// chargeQuota adds size bytes to owner's storage use.
func (h *Handler) chargeQuota(r *http.Request, owner string, size int64) bool {
	ctx, key := r.Context(), "quota:"+owner
	var used int64
	raw, err := h.app.kv.Get(ctx, h.app.ns.Counters, key)
	switch {
	case err == nil:
		used, _ = strconv.ParseInt(string(raw), 10, 64)
	case !errors.Is(err, kvstore.ErrNotFound):
		panic(err)
	}
	if used+size > h.app.cfg.QuotaBytes {
		return false
	}
	h.app.kv.MustPut(ctx, h.app.ns.Counters, key, []byte(strconv.FormatInt(used+size, 10)), 0) // EXPECT kvcounter|kvrace
	return true
}

type publishRequest struct {
	Version  string            `json:"version"`
	Checksum string            `json:"checksum"`
	Tags     map[string]string `json:"tags"`
	Size     int64             `json:"size"`
}

func (h *Handler) publish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := registry.PackageName(r.PathValue("name"))
	ok, err := h.allowPublish(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	tok, err := h.authenticate(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	if !tok.HasScope("publish", string(name)) {
		http.Error(w, "token lacks publish scope", http.StatusForbidden)
		return
	}
	var req publishRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if req.Size > h.app.reg.MaxUploadBytes(ctx) {
		http.Error(w, "package too large", http.StatusRequestEntityTooLarge)
		return
	}
	owner, err := h.app.reg.IsOwner(ctx, name, tok.Owner)
	if err != nil {
		h.fail(w, err)
		return
	}
	if !owner {
		if err := h.app.reg.Claim(ctx, name, tok.Owner); err != nil {
			if errors.Is(err, registry.ErrTaken) {
				http.Error(w, "not an owner", http.StatusForbidden)
				return
			}
			h.fail(w, err)
			return
		}
	}
	if !h.chargeQuota(r, tok.Owner, req.Size) {
		http.Error(w, "storage quota exceeded", http.StatusInsufficientStorage)
		return
	}
	for tag, v := range req.Tags {
		if err := h.app.reg.SetTag(ctx, name, tag, v); err != nil { // DEBATABLE kvhotkey
			h.fail(w, err)
			return
		}
	}
	_ = h.app.reg.AuditLog(ctx, name, "publish "+req.Version+" by "+tok.Owner)
	if err := h.app.reg.Invalidate(ctx, name); err != nil {
		h.app.log.Warn("invalidate", "pkg", name, "err", err)
	}
	stamp := []byte(string(name) + "@" + req.Version + " " + time.Now().UTC().Format(time.RFC3339))
	h.app.services.backends.kv.MustPut(ctx, h.app.ns.Index, "registry:last-publish", stamp, 0) // EXPECT kvhotkey
	writeJSON(w, http.StatusCreated, map[string]string{"package": string(name), "version": req.Version})
}

func (h *Handler) yank(w http.ResponseWriter, r *http.Request) {
	name := registry.PackageName(r.PathValue("name"))
	tok, err := h.authenticate(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	if ok, err := h.app.reg.IsOwner(r.Context(), name, tok.Owner); err != nil || !ok {
		http.Error(w, "not an owner", http.StatusForbidden)
		return
	}
	version := r.URL.Query().Get("version")
	if err := h.app.reg.Yank(r.Context(), name, version); err != nil {
		h.fail(w, err)
		return
	}
	_ = h.app.reg.AuditLog(r.Context(), name, "yank "+version+" by "+tok.Owner)
	w.WriteHeader(http.StatusNoContent)
}

// setTags replaces several dist-tags at once and records when tags last
// changed for the package.
func (h *Handler) setTags(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := registry.PackageName(r.PathValue("name"))
	if _, err := h.authenticate(r); err != nil {
		h.fail(w, err)
		return
	}
	var tags map[string]string
	if err := json.NewDecoder(r.Body).Decode(&tags); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for tag, version := range tags {
		if err := h.app.reg.SetTag(ctx, name, tag, version); err != nil { // EXPECT kvhotkey
			h.fail(w, err)
			return
		}
		changed := []byte(tag + "=" + version + " " + time.Now().UTC().Format(time.RFC3339))
		if err := h.app.kv.Put(ctx, h.app.ns.Index, "tags-changed:"+string(name), changed, 0); err != nil { // EXPECT kvhotkey
			h.fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// embargo hides a package's new versions until a given time.
func (h *Handler) embargo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := h.authenticate(r); err != nil {
		h.fail(w, err)
		return
	}
	until, err := time.Parse(time.RFC3339, r.FormValue("until"))
	if err != nil || until.Before(time.Now()) {
		http.Error(w, "until must be a future RFC 3339 time", http.StatusBadRequest)
		return
	}
	if err := h.app.kv.Put(r.Context(), h.app.ns.Index, "embargo:"+name, []byte(until.Format(time.RFC3339)), until.Sub(time.Now())); err != nil { // EXPECT kvttl
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pinCache stores an operator-supplied document for a package. The lifetime
// comes from ?ttl= (seconds), the X-Cache-TTL header, or the body.
func (h *Handler) pinCache(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	doc, ok := kvstore.As[map[string]any](body["document"])
	if !ok {
		http.Error(w, "document must be an object", http.StatusBadRequest)
		return
	}
	secs, _ := strconv.Atoi(cmp.Or(r.URL.Query().Get("ttl"), r.Header.Get("X-Cache-TTL")))
	if secs == 0 {
		if f, ok := kvstore.As[float64](body["ttl_seconds"]); ok {
			secs = int(f)
		}
	}
	ttl := min(max(time.Duration(secs)*time.Second, time.Minute), 24*time.Hour)
	if err := h.app.kv.Write(ctx, h.app.ns.Meta, "meta:"+name, doc, ttl, kvstore.Retry); err != nil {
		h.fail(w, err)
		return
	}
	hint := cmp.Or(time.Duration(secs)*time.Second, time.Hour)
	if err := h.app.kv.Write(ctx, h.app.ns.Meta, "pinned:"+name, map[string]any{"by": "operator"}, hint, kvstore.Cache); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
