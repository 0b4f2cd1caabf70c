//go:build js && wasm

// Package shows owns per-show settings, vanity slugs and upload quotas.
package shows

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

// networkDefaultsKey holds the settings every show inherits.
const networkDefaultsKey = "."

type Settings struct {
	Title        string    `json:"title"`
	Author       string    `json:"author"`
	Language     string    `json:"language"`
	Explicit     bool      `json:"explicit"`
	Categories   []string  `json:"categories"`
	FeedPageSize int       `json:"feed_page_size"`
	PrivateFeed  bool      `json:"private_feed"`
	RedirectURL  string    `json:"redirect_url,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`)
	langPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]{2})?$`)
	errQuota    = errors.New("monthly upload quota reached")
)

// Service is built per request over the SHOWS and CACHE namespaces.
type Service struct {
	Shows *kv.Store
	Cache *kv.Store
	Cfg   config.Config
}

func newService(cfg config.Config) (Service, error) {
	ns, err := kv.OpenAll()
	if err != nil {
		return Service{}, err
	}
	ns.Shows.BeforeSave(validateSettings)
	ns.Shows.AfterDelete(func(key string) {
		if slug, ok := strings.CutPrefix(key, "slug:"); ok {
			_ = ns.Cache.Delete("slugcache:" + slug)
		}
	})
	return Service{Shows: ns.Shows, Cache: ns.Cache, Cfg: cfg}, nil
}

func validateSettings(key, value string) error {
	if !strings.HasPrefix(key, "settings:") {
		return nil
	}
	var s Settings
	if err := json.Unmarshal([]byte(value), &s); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if s.Language != "" && !langPattern.MatchString(s.Language) {
		return fmt.Errorf("settings: bad language %q", s.Language)
	}
	return nil
}

// Effective returns the show's settings laid over the network defaults.
func (s Service) Effective(showID string) (Settings, error) {
	var out Settings
	if _, err := s.Shows.GetJSON(networkDefaultsKey, &out); err != nil { // EXPECT kvlimits
		return out, err
	}
	var own Settings
	ok, err := s.Shows.GetJSON(keys.ShowSettings(showID), &own)
	if err != nil || !ok {
		return out, err
	}
	own.Categories = append(own.Categories, out.Categories...)
	if own.Language == "" {
		own.Language = out.Language
	}
	if own.FeedPageSize == 0 {
		own.FeedPageSize = out.FeedPageSize
	}
	return own, nil
}

// patch is the body of PATCH /shows/{show}/settings; nil fields are kept.
type patch struct {
	Title       *string   `json:"title"`
	Language    *string   `json:"language"`
	Categories  *[]string `json:"categories"`
	PrivateFeed *bool     `json:"private_feed"`
}

func (p patch) apply(s *Settings) {
	if p.Title != nil {
		s.Title = *p.Title
	}
	if p.Language != nil {
		s.Language = *p.Language
	}
	if p.Categories != nil {
		s.Categories = *p.Categories
	}
	if p.PrivateFeed != nil {
		s.PrivateFeed = *p.PrivateFeed
	}
}

func (s Service) UpdateSettings(showID string, p patch) (Settings, error) {
	key := keys.ShowSettings(showID)
	var cur Settings
	if _, err := s.Shows.GetJSON(key, &cur); err != nil {
		return cur, err
	}
	p.apply(&cur)
	cur.UpdatedAt = time.Now().UTC()
	if err := s.Shows.PutJSON(key, cur, 0); err != nil { // EXPECT kvrace
		return cur, err
	}
	for page := range 3 {
		if err := s.Cache.Delete(keys.Feed(showID, "public", page)); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

// ensureSettings seeds a new show with the network defaults.
func ensureSettings(shows *cloudflare.KVNamespace, showID string, defaults Settings) error {
	key := keys.ShowSettings(showID)
	if _, err := shows.GetString(key, nil); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(defaults)
		return shows.PutString(key, string(b), nil)
	}
	return nil
}

// ClaimSlug points a vanity slug at a show.
func (s Service) ClaimSlug(showID, slug string) error {
	if !slugPattern.MatchString(slug) {
		return fmt.Errorf("slug %q: lower-case letters, digits and dashes", slug)
	}
	owner, taken, err := s.Shows.Get(keys.Slug(slug))
	if err != nil {
		return err
	}
	if taken && owner != showID {
		return errSlugTaken
	}
	return s.Shows.Put(keys.Slug(slug), showID, 0) // EXPECT kvrace
}

var errSlugTaken = errors.New("slug taken")

// Resolve maps a slug to its show ID. Slugs change rarely, so the read is
// cached at the edge for five minutes.
func (s Service) Resolve(slug string) (string, bool, error) {
	return s.Shows.GetCached(keys.Slug(slug), 5*time.Minute)
}

// reserveUpload adds size to the show's monthly upload total.
func (s Service) reserveUpload(showID string, size int64) (int64, error) {
	key := keys.UploadQuota(showID, time.Now().UTC())
	raw, ok, err := s.Shows.Get(key)
	if err != nil {
		return 0, err
	}
	var used int64
	if ok {
		if used, err = strconv.ParseInt(raw, 10, 64); err != nil {
			return 0, err
		}
	}
	if used+size > s.Cfg.UploadQuotaBytes {
		return used, errQuota
	}
	return used + size, s.Shows.Put(key, strconv.FormatInt(used+size, 10), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /shows/{show}/settings", h.getSettings)
	mux.HandleFunc("PATCH /shows/{show}/settings", h.patchSettings)
	mux.HandleFunc("PUT /shows/{show}/slug", h.putSlug)
	mux.HandleFunc("GET /s/{slug}", h.resolve)
	mux.HandleFunc("POST /shows/{show}/uploads", h.reserve)
	mux.HandleFunc("POST /hooks/origin/shows/{show}", h.created)
}

func (h Handlers) service(w http.ResponseWriter) (Service, bool) {
	svc, err := newService(h.Cfg)
	if err != nil {
		httpx.Fail(w, "shows", err)
		return svc, false
	}
	return svc, true
}

func (h Handlers) getSettings(w http.ResponseWriter, r *http.Request) {
	svc, ok := h.service(w)
	if !ok {
		return
	}
	st, err := svc.Effective(r.PathValue("show"))
	if err != nil {
		httpx.Fail(w, "settings.get", err)
		return
	}
	httpx.JSON(w, http.StatusOK, st)
}

func (h Handlers) patchSettings(w http.ResponseWriter, r *http.Request) {
	var p patch
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&p); err != nil {
		httpx.Error(w, http.StatusBadRequest, "bad settings patch")
		return
	}
	svc, ok := h.service(w)
	if !ok {
		return
	}
	st, err := svc.UpdateSettings(r.PathValue("show"), p)
	if err != nil {
		httpx.Fail(w, "settings.patch", err)
		return
	}
	httpx.JSON(w, http.StatusOK, st)
}

func (h Handlers) putSlug(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Slug string `json:"slug"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "slug required")
		return
	}
	svc, ok := h.service(w)
	if !ok {
		return
	}
	switch err := svc.ClaimSlug(r.PathValue("show"), strings.ToLower(body.Slug)); {
	case errors.Is(err, errSlugTaken):
		httpx.Error(w, http.StatusConflict, "slug is taken")
	case err != nil:
		httpx.Error(w, http.StatusBadRequest, err.Error())
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h Handlers) resolve(w http.ResponseWriter, r *http.Request) {
	svc, ok := h.service(w)
	if !ok {
		return
	}
	showID, ok, err := svc.Resolve(r.PathValue("slug"))
	if err != nil {
		httpx.Fail(w, "slug.resolve", err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/shows/"+showID, http.StatusFound)
}

func (h Handlers) reserve(w http.ResponseWriter, r *http.Request) {
	size, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
	if err != nil || size <= 0 {
		httpx.Error(w, http.StatusBadRequest, "bytes required")
		return
	}
	svc, ok := h.service(w)
	if !ok {
		return
	}
	used, err := svc.reserveUpload(r.PathValue("show"), size)
	if errors.Is(err, errQuota) {
		httpx.Error(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	} else if err != nil {
		httpx.Fail(w, "uploads", err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"used_bytes": used, "quota_bytes": h.Cfg.UploadQuotaBytes})
}

// created is the origin's webhook for a new show.
func (h Handlers) created(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Origin-Token") != h.Cfg.AdminToken {
		httpx.Error(w, http.StatusUnauthorized, "bad origin token")
		return
	}
	var defaults Settings
	if err := json.NewDecoder(r.Body).Decode(&defaults); err != nil {
		httpx.Error(w, http.StatusBadRequest, "settings body required")
		return
	}
	shows, err := cloudflare.NewKVNamespace("SHOWS")
	if err != nil {
		httpx.Fail(w, "shows.created", err)
		return
	}
	if err := ensureSettings(shows, r.PathValue("show"), defaults); err != nil {
		httpx.Fail(w, "shows.created", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
