// Package lostfound tracks found items and the claims made on them.
package lostfound

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/store"
	"example.com/tamarack/internal/platform/uow"
)

// Item statuses.
const (
	StatusHeld     = "held"
	StatusClaimed  = "claimed"
	StatusReturned = "returned"
)

// Item is something handed in at an info point.
type Item struct {
	ID       string    `json:"id"`
	Desc     string    `json:"desc"`
	Location string    `json:"location"`
	Status   string    `json:"status"`
	FoundAt  time.Time `json:"found_at"`
}

// Claim is an attendee's claim on an item.
type Claim struct {
	ID       string    `json:"id"`
	ItemID   string    `json:"item_id"`
	Claimant string    `json:"claimant"`
	Contact  string    `json:"contact"`
	Created  time.Time `json:"created"`
}

const (
	itemPrefix  = "lf:item:"
	claimPrefix = "lf:claim:"
)

// Service manages items and claims.
type Service struct {
	st        store.Store
	items     *repo.Repository[Item]
	claims    *repo.Repository[Claim]
	retention time.Duration
	log       *slog.Logger
}

// NewService returns a Service. Items and claims expire after retention.
func NewService(st store.Store, retention time.Duration, log *slog.Logger) *Service {
	return &Service{
		st:        st,
		items:     repo.New(st, itemPrefix, repo.WithTTL[Item](retention)),
		claims:    repo.New(st, claimPrefix, repo.WithTTL[Claim](retention)),
		retention: retention,
		log:       log,
	}
}

func newID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// FileClaim records a claim on an item and appends a line to the item's
// desk notes.
func (s *Service) FileClaim(ctx context.Context, itemID, claimant, contact string) (Claim, error) {
	if _, err := s.items.Find(ctx, itemID); err != nil {
		return Claim{}, fmt.Errorf("item %s: %w", itemID, err)
	}
	c := Claim{ID: newID("C"), ItemID: itemID, Claimant: claimant, Contact: contact, Created: time.Now().UTC()}
	if err := s.claims.Save(ctx, c.ID, c); err != nil {
		return Claim{}, err
	}
	key := "lf:notes:" + itemID
	old, err := s.st.Get(ctx, key)
	if err != nil && !store.IsNotFound(err) {
		return c, err
	}
	line := fmt.Sprintf("%s claim %s by %s", c.Created.Format(time.DateTime), c.ID, claimant)
	if old != "" {
		line = old + "\n" + line
	}
	return c, s.st.Put(ctx, key, line, store.WithTTL(s.retention)) // EXPECT kvrace
}

// Note records a desk note through the request's unit of work; the notes are
// flushed after the response succeeds.
func (s *Service) Note(ctx context.Context, itemID, text string) error {
	u := uow.From(ctx)
	if u == nil {
		return errors.New("no unit of work in context")
	}
	u.Append("lf:notes:"+itemID, time.Now().UTC().Format(time.DateTime)+" "+text)
	return nil
}

// MarkReturned closes an item and its claims through the unit of work.
func (s *Service) MarkReturned(ctx context.Context, itemID string, claimIDs []string) error {
	u := uow.From(ctx)
	if u == nil {
		return errors.New("no unit of work in context")
	}
	it, err := s.items.Find(ctx, itemID)
	if err != nil {
		return err
	}
	it.Status = StatusReturned
	raw, err := repo.JSON[Item]{}.Encode(it)
	if err != nil {
		return err
	}
	u.Put(s.items.Key(itemID), raw, store.WithTTL(s.retention)) // EXPECT kvrace
	for _, id := range claimIDs {
		u.Delete(s.claims.Key(id))
	}
	return nil
}

// OpenClaimIDs returns the ids of all open claims.
func (s *Service) OpenClaimIDs(ctx context.Context) ([]string, error) {
	page, err := s.st.List(ctx, store.ListOptions{Prefix: claimPrefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	return store.TrimKeys(page.Keys, claimPrefix), nil
}

// ClaimsForDesk returns the claims to show on the info desk tablet, at most
// a few pages worth.
func (s *Service) ClaimsForDesk(ctx context.Context, location string) ([]Claim, error) {
	keys, err := store.Collect(ctx, s.st, claimPrefix, 3)
	if err != nil && !errors.Is(err, store.ErrBudgetExceeded) {
		return nil, err
	}
	var out []Claim
	for _, k := range keys {
		c, err := s.claims.Find(ctx, strings.TrimPrefix(k.Name, claimPrefix)) // EXPECT kvlist
		if err != nil {
			continue
		}
		if strings.HasPrefix(c.ItemID, location) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ClaimsPage returns one page of claim ids and the cursor of the next page.
func (s *Service) ClaimsPage(ctx context.Context, cursor string) ([]string, string, error) {
	return s.claims.Page(ctx, cursor, 200)
}
