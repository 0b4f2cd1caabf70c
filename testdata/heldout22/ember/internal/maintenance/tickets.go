// Package maintenance tracks repair tickets for vehicles and stations.
package maintenance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/repo"
)

// Ticket statuses.
const (
	Open     = "open"
	Assigned = "assigned"
	Resolved = "resolved"
)

// Ticket is a repair job.
type Ticket struct {
	ID       string    `json:"id"`
	City     string    `json:"city"`
	Vehicle  string    `json:"vehicle,omitempty"`
	Station  string    `json:"station,omitempty"`
	Kind     string    `json:"kind"`
	Priority int       `json:"priority"`
	Status   string    `json:"status"`
	Assignee string    `json:"assignee,omitempty"`
	Opened   time.Time `json:"opened"`
	Updated  time.Time `json:"updated"`
	Summary  string    `json:"summary"`
}

// Service manages tickets. The work log is written through the REST API
// directly because it is plain text and can be large.
type Service struct {
	store     kvstore.BulkStore
	tickets   *repo.Repository[Ticket]
	values    *kv.NamespaceValueService
	account   string
	namespace string
	clock     clock.Clock
}

// NewService wires the ticket service. tickets must use the "ticket:" prefix.
func NewService(store kvstore.BulkStore, tickets *repo.Repository[Ticket], client *cloudflare.Client, account, namespace string) *Service {
	return &Service{
		store:     store,
		tickets:   tickets,
		values:    client.KV.Namespaces.Values,
		account:   account,
		namespace: namespace,
		clock:     clock.System{},
	}
}

func ticketID(city, id string) string { return city + ":" + id }

func newTicketID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102") + "-" + hex.EncodeToString(b)
}

// Open files a new ticket.
func (s *Service) Open(ctx context.Context, t Ticket) (Ticket, error) {
	now := s.clock.Now()
	t.ID = newTicketID(now)
	t.Status = Open
	t.Opened, t.Updated = now, now
	if err := s.tickets.Save(ctx, ticketID(t.City, t.ID), t); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// Assign gives the ticket to a technician.
func (s *Service) Assign(ctx context.Context, city, id, technician string) error {
	return s.tickets.Mutate(ctx, ticketID(city, id), func(t *Ticket) error {
		if t.Status == Resolved {
			return fmt.Errorf("ticket %s is already resolved", id)
		}
		t.Assignee = technician
		t.Status = Assigned
		t.Updated = s.clock.Now()
		return nil
	})
}

// AppendLog adds a line to the ticket's work log.
func (s *Service) AppendLog(ctx context.Context, id, author, line string) error {
	key := keys.TicketLogKey{ID: id}.String()
	old := ""
	res, err := s.values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		old = string(b)
	case isNotFound(err):
	default:
		return err
	}
	entry := fmt.Sprintf("%s %s: %s\n", s.clock.Now().UTC().Format(time.RFC3339), author, strings.TrimSpace(line))
	_, err = s.values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(old + entry))}) // EXPECT kvrace
	return err
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Board returns the open tickets of a city for the technician app, one page
// at a time.
func (s *Service) Board(ctx context.Context, city, cursor string) ([]Ticket, string, error) {
	page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: "ticket:" + city + ":", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Ticket, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var t Ticket
		if json.Unmarshal(raw, &t) == nil && t.Status != Resolved {
			out = append(out, t)
		}
	}
	return out, page.Cursor, nil
}

// Digest returns the tickets of one page in a single bulk read.
func (s *Service) Digest(ctx context.Context, city, cursor string) ([]Ticket, string, error) {
	page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: "ticket:" + city + ":", Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	values, err := s.store.BulkGet(ctx, page.Names())
	if err != nil {
		return nil, "", err
	}
	out := make([]Ticket, 0, len(values))
	for _, raw := range values {
		var t Ticket
		if json.Unmarshal([]byte(raw), &t) == nil {
			out = append(out, t)
		}
	}
	return out, page.Cursor, nil
}

// Archive deletes resolved tickets of city that were last updated before
// cutoff. It visits at most maxPages pages and reports whether it stopped
// early; the nightly job calls it again on the next run.
func (s *Service) Archive(ctx context.Context, city string, cutoff time.Time, maxPages int) (bool, error) {
	return s.tickets.Scan(ctx, maxPages, func(ids []string) error {
		names := make([]string, 0, len(ids))
		for _, id := range ids {
			if strings.HasPrefix(id, city+":") {
				names = append(names, s.tickets.Key(id))
			}
		}
		values, err := s.store.BulkGet(ctx, names)
		if err != nil {
			return err
		}
		var stale []string
		for name, raw := range values {
			var t Ticket
			if json.Unmarshal([]byte(raw), &t) != nil {
				continue
			}
			if t.Status == Resolved && t.Updated.Before(cutoff) {
				stale = append(stale, name, keys.TicketLogKey{ID: t.ID}.String())
			}
		}
		if len(stale) == 0 {
			return nil
		}
		return s.store.BulkDelete(ctx, stale)
	})
}
