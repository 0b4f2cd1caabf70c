// Package maintenance tracks repair tickets for bikes, docks and stations.
package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/keys"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/repo"
)

type Counters interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

type Service struct {
	tickets  *repo.Repo[domain.Ticket]
	docs     ports.DocStore
	counters Counters
	sla      time.Duration
	now      ports.Clock
	openKey  func(id string) string
}

// New returns a Service. Tickets are due sla after they are opened.
func New(tickets *repo.Repo[domain.Ticket], docs ports.DocStore, counters Counters, sla time.Duration) *Service {
	return &Service{
		tickets: tickets, docs: docs, counters: counters, sla: sla, now: time.Now,
		openKey: keys.In("ops")("tickets-open"),
	}
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /tickets", s.open)
	mux.HandleFunc("GET /tickets", s.list)
	mux.HandleFunc("PATCH /tickets/{id}", s.patch)
	mux.HandleFunc("POST /tickets/{id}/assign", s.assign)
}

func (s *Service) open(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var t domain.Ticket
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := s.now()
	t.ID, t.Status = httpx.NewID(8), "open"
	t.Opened, t.Due = domain.At(now), domain.At(now.Add(s.sla))
	if err := s.tickets.Put(ctx, t.ID, t); err != nil {
		httpx.Error(w, err)
		return
	}
	if err := s.bumpOpen(ctx, t.StationID); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, t)
}

// bumpOpen maintains the per-station open-ticket gauge shown on the map.
func (s *Service) bumpOpen(ctx context.Context, station string) error {
	key := s.openKey(station)
	n := 0
	b, err := s.counters.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(b))
	case !errors.Is(err, ports.ErrNotFound):
		return err
	}
	return s.counters.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter
}

func (s *Service) list(w http.ResponseWriter, r *http.Request) {
	q := ports.Query{Prefix: r.URL.Query().Get("prefix"), After: r.URL.Query().Get("cursor")}
	page, err := s.tickets.Find(r.Context(), q)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, page)
}

// patch applies an RFC 7396 merge patch to a ticket document.
func (s *Service) patch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	patch, err := httpx.ReadPatch(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	httpx.Protect(patch, "id", "opened")
	key := s.tickets.Key(r.PathValue("id"))
	raw, err := s.docs.Read(ctx, key)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		httpx.Error(w, err)
		return
	}
	out, err := json.Marshal(httpx.MergePatch(doc, patch))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if err := s.docs.Write(ctx, key, out, 0); err != nil { // EXPECT kvrace
		httpx.Error(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (s *Service) assign(w http.ResponseWriter, r *http.Request) {
	who := r.FormValue("assignee")
	if who == "" {
		http.Error(w, "assignee required", http.StatusBadRequest)
		return
	}
	t, err := s.tickets.Update(r.Context(), r.PathValue("id"), func(t *domain.Ticket) error {
		if t.Assignee == who {
			return repo.ErrSkip
		}
		t.Assignee, t.Status = who, "assigned"
		return nil
	})
	if err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, t)
}
