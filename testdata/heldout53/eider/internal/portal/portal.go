//go:build js && wasm

// Package portal implements guest portal sessions: sign-in by booking
// reference, the stay overview and the extras cart.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// Lifetime of a portal session.
const (
	SessionTTL = 12 * time.Hour
	IdleTTL    = 2 * time.Hour
	csrfTTL    = time.Hour
)

// ErrThrottled is returned when an address has tried to sign in too often.
var ErrThrottled = errors.New("portal: too many attempts")

// Session is a signed-in guest. It holds its store and knows its own key.
type Session struct {
	ID         string       `json:"id"`
	GuestID    string       `json:"guest_id"`
	BookingRef string       `json:"booking_ref"`
	Created    time.Time    `json:"created"`
	LastSeen   time.Time    `json:"last_seen"`
	Flags      edgekv.Flags `json:"flags"`

	key edgekv.Key[Session]
}

// SessionKey returns the typed handle for session id.
func SessionKey(ns *edgekv.Namespace, id string) edgekv.Key[Session] {
	return edgekv.NewKey[Session](ns, "sess:"+id)
}

// Portal is the session service bound to the PORTAL namespace.
type Portal struct {
	ns *edgekv.Namespace
}

// New returns the service.
func New(ns *edgekv.Namespace) *Portal { return &Portal{ns: ns} }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session with a fresh random ID for a verified guest.
func (p *Portal) Start(ctx context.Context, guestID, bookingRef string, flags edgekv.Flags) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: randomID(24), GuestID: guestID, BookingRef: bookingRef, Created: now, LastSeen: now, Flags: flags}
	s.key = SessionKey(p.ns, s.ID)
	ttl := SessionTTL
	if flags&edgekv.Sliding != 0 {
		ttl = IdleTTL
	}
	if err := s.key.Store(ctx, *s, ttl); err != nil {
		return nil, err
	}
	return s, nil
}

// Resume loads the session named by the cookie value.
func (p *Portal) Resume(ctx context.Context, id string) (*Session, error) {
	key := SessionKey(p.ns, id)
	s, err := key.Load(ctx)
	if err != nil {
		return nil, err
	}
	s.key = key
	return &s, nil
}

// Touch records activity. Sliding sessions get their idle lifetime back.
func (s *Session) Touch(ctx context.Context) error {
	if s.Flags&edgekv.Sliding == 0 {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	return s.key.Store(ctx, *s, IdleTTL) // EXPECT kvsession
}

// End signs the guest out.
func (s *Session) End(ctx context.Context) error {
	return s.key.Drop(ctx) // EXPECT kvsession
}

// RevokeAll blocks every session of a guest after the booking e-mail
// changed, until the longest session would have expired anyway.
func (p *Portal) RevokeAll(ctx context.Context, guestID string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return p.ns.Put("revoked-guest:"+guestID, stamp, SessionTTL) // EXPECT kvsession
}

// Revoked reports whether s was issued before its guest's revocation stamp.
func (p *Portal) Revoked(s *Session) (bool, error) {
	raw, ok, err := p.ns.Get("revoked-guest:" + s.GuestID)
	if err != nil || !ok {
		return false, err
	}
	at, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return false, err
	}
	return s.Created.Unix() <= at, nil
}

// CSRF issues a fresh form token for the session.
func (p *Portal) CSRF(ctx context.Context, s *Session) (string, error) {
	tok := randomID(18)
	return tok, edgekv.NewKey[string](p.ns, "csrf:"+s.ID+":"+tok).Store(ctx, tok, csrfTTL)
}

// CheckCSRF verifies a form token and spends it.
func (p *Portal) CheckCSRF(ctx context.Context, s *Session, tok string) error {
	key := edgekv.NewKey[string](p.ns, "csrf:"+s.ID+":"+tok)
	if _, err := key.Load(ctx); err != nil {
		return err
	}
	return key.Drop(ctx) // EXPECT kvsession
}

// Throttle counts sign-in attempts per client address for ten minutes.
func (p *Portal) Throttle(ip string) error {
	load, save := p.ns.Slot(context.Background(), "login-attempts:"+ip)
	raw, ok, err := load()
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	if n >= 10 {
		return ErrThrottled
	}
	return save(strconv.Itoa(n+1), 10*time.Minute) // EXPECT kvcounter|kvrace
}

// Extra is one purchasable add-on in the cart.
type Extra struct {
	SKU   string `json:"sku"`
	Night string `json:"night,omitempty"`
	Qty   int    `json:"qty"`
	Price int64  `json:"price"`
}

// Cart is the list of extras a guest has picked for the stay.
type Cart struct {
	Items   []Extra   `json:"items"`
	Updated time.Time `json:"updated"`
}

// AddExtra puts an add-on in the session's cart.
func (p *Portal) AddExtra(ctx context.Context, s *Session, e Extra) (Cart, error) {
	load, save := p.ns.Slot(ctx, "cart:"+s.ID)
	var c Cart
	raw, ok, err := load()
	if err != nil {
		return c, err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return c, err
		}
	}
	c.Items = append(c.Items, e)
	c.Updated = time.Now().UTC()
	b, _ := json.Marshal(c)
	return c, save(string(b), SessionTTL) // EXPECT kvsession|kvrace
}

// CartOf returns the cart of a session; a missing cart is empty.
func (p *Portal) CartOf(ctx context.Context, s *Session) (Cart, error) {
	load, _ := p.ns.Slot(ctx, "cart:"+s.ID)
	var c Cart
	raw, ok, err := load()
	if err != nil || !ok {
		return c, err
	}
	return c, json.Unmarshal([]byte(raw), &c)
}
