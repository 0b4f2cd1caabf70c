// Package waitlist keeps the queue of buyers waiting for a sold-out event
// and the offers sent to them when seats come back.
package waitlist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/typed"
)

// ErrClosed is returned when the event's sales have ended.
var ErrClosed = errors.New("waitlist: sales have ended")

// Entry is one waiting buyer.
type Entry struct {
	AccountID string    `json:"account_id"`
	Seats     int       `json:"seats"`
	JoinedAt  time.Time `json:"joined_at"`
}

// Offer is a seat offered to a waiting buyer.
type Offer struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	AccountID string    `json:"account_id"`
	Seat      string    `json:"seat"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Service manages waitlists.
type Service struct {
	store    storage.Store
	lists    *typed.Store[[]Entry]
	offerTTL time.Duration
	now      func() time.Time
}

// New returns a Service. offerTTL bounds how long an offer stays open.
func New(s storage.Store, offerTTL time.Duration) *Service {
	return &Service{
		store:    s,
		lists:    typed.New[[]Entry](s, kvkey.Waitlists, nil),
		offerTTL: offerTTL,
		now:      time.Now,
	}
}

// Join adds accountID to the event's waitlist and returns their position.
func (s *Service) Join(ctx context.Context, eventID, accountID string, seats int, salesEnd time.Time) (int, error) {
	if !salesEnd.IsZero() && s.now().After(salesEnd) {
		return 0, ErrClosed
	}
	list, _, err := s.lists.Lookup(ctx, eventID)
	if err != nil {
		return 0, err
	}
	for i, e := range list {
		if e.AccountID == accountID {
			return i + 1, nil
		}
	}
	list = append(list, Entry{AccountID: accountID, Seats: max(seats, 1), JoinedAt: s.now()})
	if err := s.lists.Put(ctx, eventID, list, 0); err != nil { // EXPECT kvrace
		return 0, err
	}
	s.noteActivity(ctx, eventID)
	return len(list), nil
}

// noteActivity records the most recent waitlist join for the dashboard.
func (s *Service) noteActivity(ctx context.Context, eventID string) {
	b, _ := json.Marshal(map[string]any{"event": eventID, "at": s.now().Unix()})
	_ = s.store.Put(ctx, kvkey.Meta.Child("waitlist-latest").String(), b) // EXPECT kvhotkey
}

// Offer sends seat to accountID until the offer window or sales close.
func (s *Service) Offer(ctx context.Context, eventID, accountID, seat string, salesEnd time.Time) (Offer, error) {
	deadline := s.now().Add(s.offerTTL)
	if !salesEnd.IsZero() && salesEnd.Before(deadline) {
		deadline = salesEnd
	}
	o := Offer{ID: newID(), EventID: eventID, AccountID: accountID, Seat: seat, ExpiresAt: deadline}
	b, err := json.Marshal(o)
	if err != nil {
		return Offer{}, err
	}
	err = s.store.Put(ctx, kvkey.Offer(eventID, o.ID).String(), b,
		storage.WithTTL(time.Until(deadline))) // EXPECT kvttl
	if err != nil {
		return Offer{}, err
	}
	return o, nil
}

// maxOfferPages bounds the offers listing on the organiser dashboard.
const maxOfferPages = 5

// OpenOffers lists the IDs of offers that have not expired yet.
func (s *Service) OpenOffers(ctx context.Context, eventID string) ([]string, error) {
	prefix := kvkey.Offers.Child(eventID).Prefix()
	p, err := s.store.List(ctx, storage.ListOptions{Prefix: prefix, Limit: 200})
	if err != nil {
		return nil, err
	}
	ids := names(p.Keys, prefix)
	for pages := 1; !p.Complete && pages < maxOfferPages; pages++ {
		p, err = s.store.List(ctx, storage.ListOptions{Cursor: p.Cursor, Limit: 200}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		ids = append(ids, names(p.Keys, prefix)...)
	}
	return ids, nil
}

func names(keys []storage.KeyInfo, prefix string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out
}

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
