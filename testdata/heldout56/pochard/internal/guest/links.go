package guest

import (
	"context"
	"encoding/json"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
)

// MagicLinkToken is stored behind a sign-in link e-mailed to the guest.
type MagicLinkToken struct {
	GuestID   string    `json:"guest_id"`
	BookingID string    `json:"booking_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

// SendMagicLink stores a new sign-in link token and returns it.
func (s *Sessions) SendMagicLink(ctx context.Context, guestID, bookingID string) (string, error) {
	tok := token(32)
	raw, _ := json.Marshal(MagicLinkToken{GuestID: guestID, BookingID: bookingID, IssuedAt: time.Now().UTC()})
	ttl := lifetimes[KindMagicLink]
	return tok, s.store.Put(ctx, "magiclink:"+tok, raw, kv.PutOptions{TTL: &ttl})
}

// ConsumeMagicLink signs the guest in with a link token, once.
func (s *Sessions) ConsumeMagicLink(ctx context.Context, tok string) (Session, error) {
	raw, found, err := s.store.Lookup(ctx, "magiclink:"+tok)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrBadLink
	}
	var link MagicLinkToken
	if err := json.Unmarshal(raw, &link); err != nil {
		return Session{}, err
	}
	if err := s.store.Delete(ctx, "magiclink:"+tok); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s.Create(ctx, link.GuestID, link.BookingID)
}

// BeginOAuth stores the state parameter of a partner-IdP sign-in.
func (s *Sessions) BeginOAuth(ctx context.Context, returnTo string) (string, error) {
	state := token(16)
	return state, s.store.Put(ctx, "oauth:state:"+state, []byte(returnTo), kv.PutOptions{
		TTL: opt.Ptr(oauthStateTTL), // EXPECT kvttl
	})
}

// CompleteOAuth checks and consumes a state parameter.
func (s *Sessions) CompleteOAuth(ctx context.Context, state string) (string, error) {
	returnTo, found, err := s.store.Lookup(ctx, "oauth:state:"+state)
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrBadState
	}
	if err := s.store.Delete(ctx, "oauth:state:"+state); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(returnTo), nil
}

// AddToCart adds an add-on to the session's cart.
func (s *Sessions) AddToCart(ctx context.Context, sessionID string, item CartItem) ([]CartItem, error) {
	key := "cart:" + sessionID
	raw, found, err := s.store.Lookup(ctx, key)
	if err != nil {
		return nil, err
	}
	var cart []CartItem
	if found {
		if err := json.Unmarshal(raw, &cart); err != nil {
			return nil, err
		}
	}
	cart = append(cart, item)
	out, _ := json.Marshal(cart)
	return cart, s.store.Put(ctx, key, out, kv.PutOptions{TTL: opt.Ptr(lifetimes[KindCart])}) // EXPECT kvsession|kvrace
}
