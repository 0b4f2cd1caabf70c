package httpapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/events"
)

func (s *Server) adminRoutes() {
	s.mux.Handle("PATCH /admin/events/{id}/page", s.admin(s.patchPage))
	s.mux.Handle("PUT /admin/events/{id}/page", s.admin(s.replacePage))
	s.mux.Handle("POST /admin/events/{id}/publish", s.admin(s.publishEvent))
	s.mux.Handle("POST /admin/events/{id}/announcements", s.admin(s.announce))
	s.mux.Handle("GET /admin/events/{id}/stats", s.admin(s.eventStats))
	s.mux.Handle("POST /admin/slugs", s.admin(s.claimSlug))
	s.mux.Handle("POST /admin/promos", s.admin(s.createPromo))
	s.mux.Handle("POST /admin/maintenance", s.admin(s.maintenance))
}

// admin checks the bearer token and passes the editor's name along.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request, editor string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if s.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.AdminToken)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		editor := r.Header.Get("X-Editor")
		if editor == "" {
			editor = "admin"
		}
		h(w, r, editor)
	})
}

func (s *Server) patchPage(w http.ResponseWriter, r *http.Request, editor string) {
	var p events.OverridePatch
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, "bad patch", http.StatusBadRequest)
		return
	}
	page, err := s.Catalog.PatchOverrides(r.Context(), r.PathValue("id"), editor, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, page)
}

func (s *Server) replacePage(w http.ResponseWriter, r *http.Request, editor string) {
	var page domain.PageOverrides
	if err := json.NewDecoder(r.Body).Decode(&page); err != nil {
		http.Error(w, "bad page", http.StatusBadRequest)
		return
	}
	if err := s.Catalog.ReplaceOverrides(r.Context(), r.PathValue("id"), editor, page); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// publishEvent pushes a freshly edited event out to the edge.
func (s *Server) publishEvent(w http.ResponseWriter, r *http.Request, editor string) {
	ctx := r.Context()
	id := r.PathValue("id")
	if err := s.Catalog.Refresh(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.Catalog.Get(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"listing", func() error { return s.Catalog.PublishListing(ctx, ev) }},
		{"featured", func() error {
			if r.URL.Query().Get("featured") != "1" {
				return nil
			}
			return s.Catalog.PublishFeatured(ctx, ev)
		}},
		{"sales-window", func() error { return s.Catalog.PublishSalesWindow(ctx, ev) }},
		{"countdown", func() error { return s.Catalog.PublishCountdown(ctx, ev) }},
		{"doors", func() error { return s.Catalog.PublishDoorsInfo(ctx, ev) }},
		{"inventory", func() error {
			if r.URL.Query().Get("seed_inventory") != "1" {
				return nil
			}
			return s.Checkout.SeedInventory(ctx, ev)
		}},
	}
	done := make([]string, 0, len(steps))
	for _, st := range steps {
		if err := st.run(); err != nil {
			if errors.Is(err, domain.ErrEventStarted) {
				continue
			}
			s.Log.ErrorContext(ctx, "publish step failed", "event", id, "step", st.name, "err", err)
			s.writeJSON(w, http.StatusBadGateway, map[string]any{"done": done, "failed": st.name})
			return
		}
		done = append(done, st.name)
	}
	s.Log.InfoContext(ctx, "event published", "event", id, "editor", editor)
	s.writeJSON(w, http.StatusOK, map[string]any{"done": done})
}

// announce appends a line to the event's announcement feed shown on the page.
func (s *Server) announce(w http.ResponseWriter, r *http.Request, editor string) {
	ctx := r.Context()
	var body struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || strings.TrimSpace(body.Text) == "" {
		http.Error(w, "text required", http.StatusBadRequest)
		return
	}
	key := "announcements:" + r.PathValue("id")
	get, put := s.KV.Get, s.KV.Set

	feed, err := get(ctx, key)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", time.Now().UTC().Format(time.RFC3339), editor, strings.ReplaceAll(body.Text, "\n", " "))
	if err := put(ctx, key, append(feed, line...), 0); err != nil { // EXPECT kvrace
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) eventStats(w http.ResponseWriter, r *http.Request, _ string) {
	ctx := r.Context()
	id := r.PathValue("id")
	views, err := s.Views.ViewsToday(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"views_today": views}
	if code := r.URL.Query().Get("promo"); code != "" {
		left, err := s.Promos.RemainingUses(ctx, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out["promo_uses_left"] = left
	}
	if trending, err := s.Views.Trending(ctx); err == nil {
		for i, t := range trending {
			if t.ID == id {
				out["trending_rank"] = i + 1
			}
		}
	}
	held, err := s.Holds.HeldSeats(ctx, id)
	if err == nil {
		out["held_seats"] = held
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) claimSlug(w http.ResponseWriter, r *http.Request, editor string) {
	var body struct {
		Slug    string `json:"slug"`
		EventID string `json:"event_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.Slugs.Claim(r.Context(), body.Slug, body.EventID, editor); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) createPromo(w http.ResponseWriter, r *http.Request, editor string) {
	var p domain.Promo
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, "bad promo", http.StatusBadRequest)
		return
	}
	p.OwnerID = editor
	created, err := s.Promos.Create(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, created)
}

// maintenance puts the storefront into maintenance mode for a while, e.g.
// POST /admin/maintenance?for=45m&msg=Back+soon
func (s *Server) maintenance(w http.ResponseWriter, r *http.Request, editor string) {
	d, err := time.ParseDuration(r.FormValue("for"))
	if err != nil || d < time.Minute {
		http.Error(w, "for must be a duration of at least 1m", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(s.KVBinding)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := r.FormValue("msg")
	if msg == "" {
		msg = "We'll be right back."
	}
	if err := ns.PutString("maintenance:message", msg, &kv.PutOptions{
		ExpirationTTL: int(d), // EXPECT kvttl
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := ns.PutString("maintenance:by", editor, &kv.PutOptions{
		ExpirationTTL: int(d / time.Second),
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"until": time.Now().Add(d).UTC()})
}
