//go:build js && wasm

// Package tickets serves ticket threads to the agent console.
package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
	"github.com/deskfleet/shearwater/internal/policy"
)

// ErrAliasTaken is returned when a short alias already points at a ticket.
var ErrAliasTaken = errors.New("tickets: alias taken")

// Service handles /tickets routes.
type Service struct {
	root   *kvstore.Store
	origin *Origin
}

// New returns a ticket service over the given root store.
func New(root *kvstore.Store, origin *Origin) *Service {
	return &Service{root: root, origin: origin}
}

func (s *Service) forTenant(tenant string) *kvstore.Store { return s.root.ForTenant(tenant) }

func tenantOf(r *http.Request) (tenant, plan string) {
	return r.Header.Get("X-Tenant"), r.Header.Get("X-Plan")
}

// Summary returns the cached summary of a ticket, loading it from the origin
// on a miss.
func (s *Service) Summary(ctx context.Context, tenant, plan, id string) (Summary, error) {
	st := s.forTenant(tenant)
	pol := policy.For(plan)
	raw, found, err := st.GetCached(ctx, keys.Ticket(id), pol.EdgeTTL)
	if err != nil {
		return Summary{}, err
	}
	if found {
		var sum Summary
		if err := json.Unmarshal([]byte(raw), &sum); err == nil {
			return sum, nil
		}
	}
	sum, err := s.origin.fetchSummary(ctx, tenant, id)
	if err != nil {
		return Summary{}, err
	}
	b, _ := json.Marshal(sum)
	if err := st.Put(ctx, keys.Ticket(id), string(b), pol.CacheTTL); err != nil {
		return Summary{}, fmt.Errorf("cache ticket %s: %w", id, err)
	}
	return sum, nil
}

// ServeTicket handles GET /tickets/{id}.
func (s *Service) ServeTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, plan := tenantOf(r)
	id := r.PathValue("id")
	sum, err := s.Summary(ctx, tenant, plan, id)
	if errors.Is(err, ErrNoTicket) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	s.bumpViews(ctx, s.forTenant(tenant), id)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(sum)
}

func (s *Service) bumpViews(ctx context.Context, st *kvstore.Store, id string) {
	get, put := (*kvstore.Store).Get, (*kvstore.Store).Put
	raw, found, err := get(st, ctx, "views/"+id)
	if err != nil {
		return
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(raw)
	}
	_ = put(st, ctx, "views/"+id, strconv.Itoa(n+1), 0) // EXPECT kvcounter
}

type replyIn struct {
	ReplyID string   `json:"reply_id"`
	Author  string   `json:"author"`
	AddTags []string `json:"add_tags"`
}

// PostReply handles POST /tickets/{id}/replies. The reply body itself is
// stored by the origin; the worker keeps the thread index and the tag cache.
func (s *Service) PostReply(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, plan := tenantOf(r)
	id := r.PathValue("id")
	var in replyIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ReplyID == "" {
		http.Error(w, "bad reply", http.StatusBadRequest)
		return
	}
	st := s.forTenant(tenant)
	uow := st.Begin()
	defer uow.Commit(ctx)

	thread, _, err := kvstore.LoadJSON[[]string](ctx, st, keys.Thread(id))
	if err != nil {
		uow.Discard()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	thread = append(thread, in.ReplyID)
	if err := kvstore.StoreJSON(ctx, st, keys.Thread(id), thread, 0); err != nil { // EXPECT kvrace
		uow.Discard()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	if len(in.AddTags) > 0 {
		sum, found, err := kvstore.LoadJSON[Summary](ctx, st, keys.Ticket(id))
		if err == nil && found {
			sum.Tags = append(sum.Tags, in.AddTags...)
			sum.UpdatedAt = time.Now()
			b, _ := json.Marshal(sum)
			uow.Put(keys.Ticket(id), string(b), policy.For(plan).CacheTTL) // EXPECT kvrace
		}
	}

	now := time.Now().UTC()
	uow.Put("board/last-activity", now.Format(time.RFC3339), 0) // EXPECT kvhotkey
	uow.Put("activity/"+in.Author, now.Format(time.RFC3339), 30*time.Second)
	s.countReply(ctx, st, now)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) countReply(ctx context.Context, st *kvstore.Store, now time.Time) {
	k := "metrics/replies/" + keys.Minute(now)
	raw, found, err := st.Get(ctx, k)
	if err != nil {
		return
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(raw)
	}
	_ = st.Put(ctx, k, strconv.Itoa(n+1), 2*time.Hour) // EXPECT kvcounter|kvhotkey
}

// CreateTicket handles POST /tickets: it assigns the tenant's next ticket
// number and forwards the ticket to the origin.
func (s *Service) CreateTicket(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	ns := s.root.Namespace()
	seqKey := "t/" + tenant + "/seq/ticket-number"
	raw, err := ns.GetString(seqKey, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	last, _ := strconv.Atoi(raw)
	next := last + 1
	if err := ns.PutString(seqKey, strconv.Itoa(next), nil); err != nil { // EXPECT kvcounter|kvhotkey
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Ticket-Number", strconv.Itoa(next))
	w.WriteHeader(http.StatusCreated)
}

// ClaimAlias handles PUT /tickets/{id}/alias/{alias}: a short, human alias such
// as "printer-fire" that customers can quote on the phone.
func (s *Service) ClaimAlias(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, _ := tenantOf(r)
	st := s.forTenant(tenant)
	alias := strings.ToLower(r.PathValue("alias"))
	if err := claimAlias(ctx, st, alias, r.PathValue("id")); err != nil {
		if errors.Is(err, ErrAliasTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func claimAlias(ctx context.Context, st *kvstore.Store, alias, ticketID string) error {
	_, taken, err := st.Get(ctx, "alias/"+alias)
	if err != nil {
		return fmt.Errorf("claim alias: %w", err)
	}
	if taken {
		return ErrAliasTaken
	}
	return st.Put(ctx, "alias/"+alias, ticketID, 0) // EXPECT kvrace
}

// ListTickets handles GET /tickets?cursor=..., returning one page of cached
// ticket ids and the cursor for the next one.
func (s *Service) ListTickets(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	page, err := s.forTenant(tenant).ListPage(r.Context(), keys.TicketPrefix, r.URL.Query().Get("cursor"), 100)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ids": page.Keys, "cursor": next})
}

var cacheOps = map[string]func(*kvstore.Store, context.Context, string) error{
	"evict":  (*kvstore.Store).Delete,
	"unlink": (*kvstore.Store).Delete,
}

// AdminCache handles POST /admin/tickets/{id}/{op}.
func (s *Service) AdminCache(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	op, ok := cacheOps[r.PathValue("op")]
	if !ok {
		http.Error(w, "unknown op", http.StatusBadRequest)
		return
	}
	key := keys.Ticket(r.PathValue("id"))
	if r.PathValue("op") == "unlink" {
		key = "alias/" + r.URL.Query().Get("alias")
	}
	if err := op(s.forTenant(tenant), r.Context(), key); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
