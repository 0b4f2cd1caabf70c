//go:build js && wasm

// Package canned serves canned replies (macros) to agents, cached in KV in
// front of the slow macro service.
package canned

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
)

// ErrNoReply is returned when the macro service has no such reply.
var ErrNoReply = errors.New("canned: no such reply")

// negative marks a cached miss.
const negative = "\x00none"

// Reply is one canned reply.
type Reply struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags,omitempty"`
}

// Key implements the record shape SaveAll expects.
func (r Reply) Key() string { return keys.CannedPrefix + "r/" + r.ID }

// Lifetime keeps replies for six hours; edits are pushed by the import.
func (r Reply) Lifetime() time.Duration { return 6 * time.Hour }

// Preview is a rendered reply for one ticket, with placeholders filled in.
type Preview struct {
	ReplyID  string `json:"reply_id"`
	TicketID string `json:"ticket_id"`
	HTML     string `json:"html"`
}

// Key implements the record shape SaveAll expects.
func (p Preview) Key() string { return keys.CannedPrefix + "preview/" + p.TicketID + "/" + p.ReplyID }

// Lifetime keeps previews briefly; they are re-rendered as the ticket changes.
func (p Preview) Lifetime() time.Duration {
	return 30 * time.Second // EXPECT kvttl
}

// Settings are the per-tenant macro settings.
type Settings struct {
	Signature string `json:"signature"`
	Locale    string `json:"locale"`
}

// Service handles /canned routes.
type Service struct {
	root   *kvstore.Store
	base   string
	client *http.Client
	flight kvstore.Group
}

// New returns the canned-reply service.
func New(root *kvstore.Store, base string) *Service {
	return &Service{root: root, base: base, client: http.DefaultClient}
}

func (s *Service) forTenant(t string) *kvstore.Store { return s.root.ForTenant(t) }

func (s *Service) fetch(ctx context.Context, tenant, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/"+tenant+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("macro service: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", ErrNoReply
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("macro service: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Get returns a reply, coalescing concurrent misses and caching absences.
func (s *Service) Get(ctx context.Context, tenant, id string) (Reply, error) {
	st := s.forTenant(tenant)
	k := Reply{ID: id}.Key()
	raw, found, err := st.Get(ctx, k)
	if err != nil {
		return Reply{}, err
	}
	if !found {
		raw, err = s.flight.Do(tenant+"/"+k, func() (string, error) {
			body, err := s.fetch(ctx, tenant, "/replies/"+id)
			if errors.Is(err, ErrNoReply) {
				return negative, st.Put(ctx, k, negative, 2*time.Minute)
			}
			if err != nil {
				return "", err
			}
			return body, st.Put(ctx, k, body, Reply{}.Lifetime())
		})
		if err != nil {
			return Reply{}, err
		}
	}
	if raw == negative {
		return Reply{}, ErrNoReply
	}
	var r Reply
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Reply{}, fmt.Errorf("decode reply %s: %w", id, err)
	}
	return r, nil
}

// Search handles GET /canned/search?q=...; results are cached by query hash.
func (s *Service) Search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.Header.Get("X-Tenant")
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	st := s.forTenant(tenant)
	k := keys.CannedSearch(q)
	raw, found, err := st.GetCached(ctx, k, time.Minute)
	if err == nil && !found {
		raw, err = s.flight.Do(tenant+"/"+k, func() (string, error) {
			body, err := s.fetch(ctx, tenant, "/search?q="+q)
			if err != nil {
				return "", err
			}
			return body, st.Put(ctx, k, body, 10*time.Minute)
		})
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, raw)
}

// Suggest handles GET /canned/suggest?subject=...: the macro service's best
// match for a ticket subject, cached by the subject text itself.
func (s *Service) Suggest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.Header.Get("X-Tenant")
	subject := r.URL.Query().Get("subject")
	st := s.forTenant(tenant)
	k := keys.CannedPrefix + "suggest/" + subject // DEBATABLE kvlimits
	raw, found, err := st.Get(ctx, k)
	if err == nil && !found {
		raw, err = s.fetch(ctx, tenant, "/suggest?subject="+subject)
		if err == nil {
			err = st.Put(ctx, k, raw, time.Hour)
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_, _ = io.WriteString(w, raw)
}

// Index handles GET /canned: all reply ids of the tenant, for the picker.
func (s *Service) Index(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get("X-Tenant")
	page, err := s.forTenant(tenant).ListPage(r.Context(), keys.CannedPrefix+"r/", "", 1000) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k, keys.CannedPrefix+"r/"))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ids": ids, "total": len(ids)})
}

// Used handles POST /canned/{id}/used?ticket=...: it remembers which replies
// were used on a ticket so the console can warn before sending one twice.
func (s *Service) Used(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := s.forTenant(r.Header.Get("X-Tenant"))
	k := keys.CannedPrefix + "used-on/" + r.URL.Query().Get("ticket")
	prev, found, err := st.Get(ctx, k)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	next := r.PathValue("id")
	if found && prev != "" {
		next = prev + "," + next
	}
	if err := st.Put(ctx, k, next, 30*24*time.Hour); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Render handles POST /canned/{id}/render?ticket=...
func (s *Service) Render(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.Header.Get("X-Tenant")
	reply, err := s.Get(ctx, tenant, r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	set, err := s.settings(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p := Preview{ReplyID: reply.ID, TicketID: r.URL.Query().Get("ticket"), HTML: reply.Body + "<br>" + set.Signature}
	if err := kvstore.SaveAll(ctx, s.forTenant(tenant), []Preview{p}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = io.WriteString(w, p.HTML)
}

func (s *Service) settings(tenant string) (Settings, error) {
	raw, err := s.root.Namespace().GetString("t/"+tenant+"/canned/settings", nil) // EXPECT kvnull
	if err != nil {
		return Settings{}, err
	}
	var set Settings
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return Settings{}, fmt.Errorf("canned settings: %w", err)
	}
	return set, nil
}

// Import handles POST /admin/canned/import: it pulls every reply from the
// macro service and writes them, marking the index version as it goes so
// pickers reload.
func (s *Service) Import(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.Header.Get("X-Tenant")
	body, err := s.fetch(ctx, tenant, "/replies")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var replies []Reply
	if err := json.Unmarshal([]byte(body), &replies); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	st := s.forTenant(tenant)
	for i := 0; i < len(replies); i += 50 {
		batch := replies[i:min(i+50, len(replies))]
		if err := kvstore.SaveAll(ctx, st, batch); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		version := fmt.Sprintf("%d:%d", time.Now().Unix(), i)
		if err := st.Put(ctx, keys.CannedPrefix+"index-version", version, 0); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
