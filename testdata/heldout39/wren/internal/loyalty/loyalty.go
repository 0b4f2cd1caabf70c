//go:build js && wasm

// Package loyalty runs points, stamp cards and member sign-in by magic link.
package loyalty

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wren/internal/keys"
	"wren/internal/kvx"
)

// stampsPerCard is how many stamps fill a card.
const stampsPerCard = 10

// magicLinkTTL is how long an emailed or texted sign-in link stays valid.
const magicLinkTTL = 15 * time.Minute

// maxSweepPages bounds one export; the caller resumes on the next run.
const maxSweepPages = 10

// Card is a member's stamp card.
type Card struct {
	Stamps    int       `json:"stamps"`
	Completed int       `json:"completed"`
	LastStamp time.Time `json:"last_stamp"`
}

// GuestSession is a signed-in loyalty member on a guest's phone.
type GuestSession struct {
	ID       string    `json:"id"`
	MemberID string    `json:"member_id"`
	Started  time.Time `json:"started"`
}

// LinkError is returned for an unknown or used magic link.
type LinkError struct{ Err error }

func (e *LinkError) Error() string {
	if e.Err == nil {
		return "magic link invalid or expired"
	}
	return "magic link: " + e.Err.Error()
}

func (e *LinkError) Unwrap() error { return e.Err }

// Service runs the loyalty programme of every tenant.
type Service struct {
	tenants *kvx.Tenants

	mu  sync.Mutex
	sms map[string]int
}

// New returns a loyalty service.
func New(t *kvx.Tenants) *Service {
	return &Service{tenants: t, sms: make(map[string]int)}
}

func pointsKey(tenant, memberID string) string {
	return keys.For(tenant, keys.KindLoyalty, memberID) + "/points"
}

// Award adds points for an order.
func (s *Service) Award(ctx context.Context, tenant, memberID string, points int) (int, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return 0, err
	}
	key := pointsKey(tenant, memberID)
	v, ok, err := st.Get(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("award: %w", err)
	}
	balance := 0
	if ok {
		if balance, err = strconv.Atoi(v); err != nil {
			return 0, fmt.Errorf("award: balance %q: %w", v, err)
		}
	}
	balance += points
	if err := st.Put(ctx, key, strconv.Itoa(balance), keys.KindLoyalty.TTL()); err != nil { // EXPECT kvrace|kvcounter
		return 0, fmt.Errorf("award: %w", err)
	}
	return balance, nil
}

// Stamp adds a stamp to a member's card after the response is sent.
func (s *Service) Stamp(ctx context.Context, tenant, memberID string) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return
	}
	key := keys.For(tenant, keys.KindStamp, memberID)
	cloudflare.WaitUntil(func() {
		var c Card
		if _, err := st.GetJSON(ctx, key, &c); err != nil {
			fmt.Printf("stamp %s: %v\n", memberID, err)
			return
		}
		c.Stamps++
		if c.Stamps >= stampsPerCard {
			c.Stamps -= stampsPerCard
			c.Completed++
		}
		c.LastStamp = time.Now().UTC()
		if err := st.PutJSON(ctx, key, c, keys.KindStamp.TTL()); err != nil { // EXPECT kvrace
			fmt.Printf("stamp %s: %v\n", memberID, err)
		}
	})
}

// grant says where a sign-in artefact is stored and for how long.
type grant struct {
	Key string
	TTL time.Duration
}

func (s *Service) grant(tenant string, k keys.Kind, id string) grant {
	switch k {
	case keys.KindOTP:
		return grant{Key: keys.Join(tenant, "magic", keys.Digest(id)), TTL: magicLinkTTL}
	default:
		key, ttl := keys.Policy{Tenant: tenant}.For(k, id)
		return grant{Key: key, TTL: ttl}
	}
}

// SendMagicLink creates a sign-in link for a member and counts the SMS
// against the tenant's daily quota.
func (s *Service) SendMagicLink(ctx context.Context, tenant, memberID string) (string, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return "", err
	}
	token := keys.NewID()
	g := s.grant(tenant, keys.KindOTP, token)
	if err := st.Put(ctx, g.Key, memberID, g.TTL); err != nil {
		return "", fmt.Errorf("magic link: %w", err)
	}
	day := keys.Day(time.Now())
	s.mu.Lock()
	s.sms[tenant+"/"+day]++
	sent := s.sms[tenant+"/"+day]
	s.mu.Unlock()
	if err := st.Put(ctx, keys.Join(tenant, "quota", "sms", day), strconv.Itoa(sent), 26*time.Hour); err != nil { // EXPECT kvcounter
		fmt.Printf("sms quota %s: %v\n", tenant, err)
	}
	return token, nil
}

// RedeemMagicLink signs a member in and invalidates the link.
func (s *Service) RedeemMagicLink(ctx context.Context, tenant, token string) (*GuestSession, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return nil, err
	}
	key := s.grant(tenant, keys.KindOTP, token).Key
	memberID, ok, err := st.Get(ctx, key)
	if err != nil {
		return nil, &LinkError{Err: err}
	}
	if !ok {
		return nil, &LinkError{}
	}
	if err := st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, &LinkError{Err: err}
	}
	gs := &GuestSession{ID: keys.NewID(), MemberID: memberID, Started: time.Now().UTC()}
	p := s.grant(tenant, keys.KindGuestSession, gs.ID)
	if err := st.PutJSON(ctx, p.Key, gs, p.TTL); err != nil {
		return nil, fmt.Errorf("guest session: %w", err)
	}
	return gs, nil
}

// Offer is a member-only offer shown until it ends.
type Offer struct {
	ID     string    `json:"id"`
	Title  string    `json:"title"`
	EndsAt time.Time `json:"ends_at"`
}

// PublishOffer caches an offer for members until it ends.
func (s *Service) PublishOffer(ctx context.Context, tenant string, o Offer) error {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(o)
	if err != nil {
		return err
	}
	ttl := time.Until(o.EndsAt)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return st.Put(ctx, keys.Join(tenant, "offer", o.ID), string(doc), ttl)
}

// SweepStale removes stamp cards of members who opted out. It walks the
// opt-out markers and deletes the matching cards.
func (s *Service) SweepStale(ctx context.Context, tenant string) (int, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return 0, err
	}
	prefix := keys.Join(tenant, "optout") + "/"
	removed := 0
	cursor := ""
	for {
		p, err := st.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return removed, fmt.Errorf("sweep: %w", err)
		}
		if len(p.Keys) == 0 {
			break
		}
		for _, k := range p.Keys {
			memberID := strings.TrimPrefix(k, prefix)
			if err := st.Delete(ctx, keys.For(tenant, keys.KindStamp, memberID)); err != nil {
				return removed, err
			}
			removed++
		}
		cursor = p.Cursor
	}
	return removed, nil
}

// MemberIDs returns member ids with a points balance, for the nightly export.
func (s *Service) MemberIDs(ctx context.Context, tenant string) ([]string, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return nil, err
	}
	ns := st.Namespace()
	prefix := keys.For(tenant, keys.KindLoyalty, "") + "/"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	var ids []string
	for page := 0; page < maxSweepPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return ids, fmt.Errorf("member ids: %w", err)
		}
		for _, k := range res.Keys {
			if id, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, prefix), "/points"); ok {
				ids = append(ids, id)
			}
		}
		if res.ListComplete {
			return ids, nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return ids, fmt.Errorf("member ids: more than %d pages", maxSweepPages)
}
