// Package seller holds the Seller aggregate and its unique handle index.
package seller

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

var (
	ErrHandleTaken   = errors.New("seller: handle already taken")
	ErrInvalidHandle = errors.New("seller: handle must be 3-30 letters, digits or underscores")
	ErrNotFound      = errors.New("seller: not found")
)

var handleRE = regexp.MustCompile(`^[a-zA-Z0-9_]{3,30}$`)

// Event is a fact about a seller.
type Event interface{ SellerID() string }

// Registered is recorded when a seller signs up.
type Registered struct {
	ID, Handle, DisplayName string
	At                      time.Time
}

// HandleChanged is recorded when a seller renames their shop.
type HandleChanged struct {
	ID, From, To string
	At           time.Time
}

func (e Registered) SellerID() string    { return e.ID }
func (e HandleChanged) SellerID() string { return e.ID }

// Seller is the aggregate root.
type Seller struct {
	ID          string    `json:"id"`
	Handle      string    `json:"handle"`
	DisplayName string    `json:"display_name"`
	JoinedAt    time.Time `json:"joined_at"`

	pending []Event
}

// Register creates a seller with a fresh ID.
func Register(handle, displayName string, now time.Time) (*Seller, error) {
	if !handleRE.MatchString(handle) {
		return nil, ErrInvalidHandle
	}
	s := &Seller{}
	s.record(Registered{ID: "s_" + rand.Text()[:16], Handle: handle, DisplayName: displayName, At: now})
	return s, nil
}

// Rename changes the seller's handle.
func (s *Seller) Rename(handle string, now time.Time) error {
	if !handleRE.MatchString(handle) {
		return ErrInvalidHandle
	}
	if fold(handle) != fold(s.Handle) {
		s.record(HandleChanged{ID: s.ID, From: s.Handle, To: handle, At: now})
	}
	return nil
}

func (s *Seller) record(e Event) { s.Apply(e); s.pending = append(s.pending, e) }

// Apply mutates state according to e.
func (s *Seller) Apply(e Event) {
	switch e := e.(type) {
	case Registered:
		s.ID, s.Handle, s.DisplayName, s.JoinedAt = e.ID, e.Handle, e.DisplayName, e.At
	case HandleChanged:
		s.Handle = e.To
	}
}

// PendingEvents returns unsaved events.
func (s *Seller) PendingEvents() []Event { return s.pending }

// ClearEvents forgets dispatched events.
func (s *Seller) ClearEvents() { s.pending = nil }

func fold(h string) string { return strings.ToLower(h) }

// Repository stores sellers and keeps handle → seller ID unique.
type Repository struct {
	ns      *kvstore.Namespace
	docs    tuple.Subspace
	handles tuple.Subspace
}

// NewRepository returns a seller repository.
func NewRepository(ns *kvstore.Namespace) *Repository {
	root := tuple.Root("seller")
	return &Repository{ns: ns, docs: root.Sub("doc"), handles: root.Sub("handle")}
}

// Save claims handles for pending events and writes the primary record.
func (r *Repository) Save(ctx context.Context, s *Seller) error {
	for _, e := range s.PendingEvents() {
		switch e := e.(type) {
		case Registered:
			if err := r.claimHandle(ctx, e.Handle, e.ID); err != nil {
				return err
			}
		case HandleChanged:
			if err := r.claimHandle(ctx, e.To, e.ID); err != nil {
				return err
			}
			if err := r.ns.Delete(ctx, string(r.handles.Pack(fold(e.From)))); err != nil {
				return err
			}
		}
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := r.ns.Put(ctx, string(r.docs.Pack(s.ID)), raw, 0); err != nil {
		return err
	}
	s.ClearEvents()
	return nil
}

// claimHandle points handle at sellerID unless another seller holds it.
func (r *Repository) claimHandle(ctx context.Context, handle, sellerID string) error {
	key := r.handles.Pack(fold(handle))
	if owner, err := r.ns.Get(ctx, string(key)); err == nil { // EXPECT kvnull
		if string(owner) != sellerID {
			return ErrHandleTaken
		}
		return nil
	}
	return r.ns.Put(ctx, string(key), []byte(sellerID), 0) // EXPECT kvrace
}

// Load reads a seller by ID.
func (r *Repository) Load(ctx context.Context, id string) (*Seller, error) {
	var s Seller
	err := r.ns.GetJSON(ctx, string(r.docs.Pack(id)), &s)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &s, err
}

// Resolve maps a handle to the seller that owns it.
func (r *Repository) Resolve(ctx context.Context, handle string) (*Seller, error) {
	id, err := r.ns.Get(ctx, string(r.handles.Pack(fold(handle))))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.Load(ctx, string(id))
}
