// Package tickets keeps the back office's KV projections of tickets: the
// snapshot the edge shows agents, notes, watchers, tags and summaries. The
// helpdesk database is the source of truth; Repo embeds rest.Base for KV.
package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/load"
	"github.com/helpdeskco/sanderling/internal/rest"
)

// Ticket is the snapshot of a ticket kept at the edge.
type Ticket struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	Subject    string    `json:"subject"`
	Status     string    `json:"status"`
	Priority   string    `json:"priority"`
	AssigneeID string    `json:"assignee_id,omitempty"`
	Requester  string    `json:"requester"`
	Opened     time.Time `json:"opened"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Note is an internal note on a ticket.
type Note struct {
	ID      string    `json:"id"`
	Author  string    `json:"author"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

// Summary is the short form shown in queue views.
type Summary struct {
	ID       string `json:"id"`
	Subject  string `json:"subject"`
	Status   string `json:"status"`
	Priority string `json:"priority"`
	Notes    int    `json:"notes"`
}

// Repo reads and writes ticket projections.
type Repo struct {
	rest.Base
	ttl    config.TTLConfig
	source load.Loader
}

// NewRepo returns a repository backed by the tickets namespace.
func NewRepo(cfg config.Config, source load.Loader) *Repo {
	return &Repo{
		Base:   rest.Base{NS: rest.Tickets, DefaultTTL: 30 * 24 * time.Hour},
		ttl:    cfg.KV.TTL,
		source: source,
	}
}

// Snapshot returns the cached ticket, loading it from the database on a miss.
func (r *Repo) Snapshot(ctx context.Context, id string) (Ticket, error) {
	raw, err := r.Cached(ctx, keys.KindTicket.Key(id), r.ttl.TicketSnapshot, r.source)
	if err != nil {
		return Ticket{}, err
	}
	var t Ticket
	return t, json.Unmarshal(raw, &t)
}

func (r *Repo) load(ctx context.Context, id string) (Ticket, error) {
	var t Ticket
	err := r.GetJSON(ctx, keys.KindTicket.Key(id), &t)
	return t, err
}

func (r *Repo) save(ctx context.Context, t Ticket) error {
	return r.PutJSON(ctx, keys.KindTicket.Key(t.ID), t, r.ttl.TicketSnapshot)
}

// SetPriority changes a ticket's priority.
func (r *Repo) SetPriority(ctx context.Context, id, priority string) error {
	t, err := r.load(ctx, id)
	if err != nil {
		return fmt.Errorf("set priority %s: %w", id, err)
	}
	t.Priority = priority
	t.UpdatedAt = time.Now().UTC()
	return r.save(ctx, t) // EXPECT kvrace
}

// Reassign moves a ticket to another agent.
func (r *Repo) Reassign(ctx context.Context, id, agentID string) error {
	return r.Update(ctx, keys.KindTicket.Key(id), r.ttl.TicketSnapshot, func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, &kverr.MissError{Namespace: "tickets", Key: id}
		}
		var t Ticket
		if err := json.Unmarshal(old, &t); err != nil {
			return nil, err
		}
		t.AssigneeID = agentID
		t.UpdatedAt = time.Now().UTC()
		return json.Marshal(t)
	})
}

// AddNote appends an internal note.
func (r *Repo) AddNote(ctx context.Context, ticketID string, n Note) error {
	key := keys.KindTicketNotes.Key(ticketID)
	var notes []Note
	if err := r.GetJSON(ctx, key, &notes); err != nil && !kverr.IsMiss(err) {
		return err
	}
	notes = append(notes, n)
	return r.PutJSON(ctx, key, notes, 0) // EXPECT kvrace
}

// Watch adds an agent to the ticket's watchers.
func (r *Repo) Watch(ctx context.Context, ticketID, agentID string) error {
	key := keys.KindTicket.Key(ticketID, "watchers")
	cur, err := r.Get(ctx, key)
	if err != nil && !kverr.IsMiss(err) {
		return err
	}
	list := string(cur)
	if strings.Contains(","+list+",", ","+agentID+",") {
		return nil
	}
	if list != "" {
		list += ","
	}
	return r.Put(ctx, key, []byte(list+agentID), 0) // EXPECT kvrace
}

// WatchersOf returns the agents watching a ticket.
func (r *Repo) WatchersOf(ctx context.Context, ticketID string) (Watchers, error) {
	res := rest.Lookup(ctx, r.NS, keys.KindTicket.Key(ticketID, "watchers"))
	m, err := res.Unwrap()
	if err != nil {
		return nil, err
	}
	raw, ok := m.Get()
	if !ok || len(raw) == 0 {
		return nil, nil
	}
	return Watchers(strings.Split(string(raw), ",")), nil
}

// RecordView counts an agent opening the ticket.
func (r *Repo) RecordView(ctx context.Context, ticketID string) error {
	key := keys.Key("views", "tkt", ticketID)
	raw, _ := r.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	return r.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter
}

// ChargeImport counts n imported tickets against the organisation's monthly
// plan and returns the new total.
func (r *Repo) ChargeImport(ctx context.Context, orgID string, n int) (int, error) {
	keyFor := rest.Prefixed("quota:tickets:")
	key := keyFor(orgID, time.Now().UTC().Format("200601"))
	used := 0
	raw, err := r.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("quota %s: %w", key, err)
		}
	case !kverr.IsMiss(err):
		return 0, err
	}
	used += n
	return used, r.Put(ctx, key, []byte(strconv.Itoa(used)), 40*24*time.Hour) // EXPECT kvcounter
}

// Summary returns the queue-view summary of a ticket.
func (r *Repo) Summary(ctx context.Context, id string) (Summary, error) {
	key := keys.KindTicket.Key(id, "summary")
	raw, err := r.Get(ctx, key)
	if err != nil {
		return Summary{}, fmt.Errorf("summary %s: %w", id, err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return r.buildSummary(ctx, id)
	}
	var s Summary
	return s, json.Unmarshal(raw, &s)
}

// buildSummary derives the summary from the snapshot and notes and caches it.
func (r *Repo) buildSummary(ctx context.Context, id string) (Summary, error) {
	t, err := r.Snapshot(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	var notes []Note
	if err := r.GetJSON(ctx, keys.KindTicketNotes.Key(id), &notes); err != nil && !kverr.IsMiss(err) {
		return Summary{}, err
	}
	s := Summary{ID: t.ID, Subject: t.Subject, Status: t.Status, Priority: t.Priority, Notes: len(notes)}
	return s, r.PutJSON(ctx, keys.KindTicket.Key(id, "summary"), s, r.ttl.Summary)
}

// Close writes the final snapshot of a closed ticket and drops its summary.
func (r *Repo) Close(ctx context.Context, t Ticket) error {
	t.Status = "closed"
	if err := r.save(ctx, t); err != nil {
		return err
	}
	return r.Delete(ctx, keys.KindTicket.Key(t.ID, "summary"))
}
