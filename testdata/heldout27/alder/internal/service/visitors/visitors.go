// Package visitors lets members invite guests and lets reception admit them.
package visitors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/repo"
	"example.com/alder/internal/storage"
)

var (
	// ErrQuota is returned when a member has used this month's invitations.
	ErrQuota = errors.New("visitors: monthly invitation quota used")
	// ErrUnknownInvitation is returned for tokens that do not resolve.
	ErrUnknownInvitation = errors.New("visitors: unknown invitation")
)

// Service manages visitor invitations.
type Service struct {
	store    storage.Store
	quota    int
	grace    time.Duration
	pageSize int
}

// Option configures a Service.
type Option func(*Service)

// WithQuota sets the number of invitations per member and month.
func WithQuota(n int) Option { return func(s *Service) { s.quota = n } }

// WithGrace keeps invitations for d after the visit.
func WithGrace(d time.Duration) Option { return func(s *Service) { s.grace = d } }

// WithPageSize sets how many keys a listing asks for.
func WithPageSize(n int) Option { return func(s *Service) { s.pageSize = n } }

// NewService returns a visitor service over st.
func NewService(st storage.Store, opts ...Option) *Service {
	s := &Service{store: st, quota: 10, grace: 2 * time.Hour, pageSize: 200}
	for _, o := range opts {
		o(s)
	}
	return s
}

func quotaKey(host domain.MemberID, t time.Time) string {
	var b strings.Builder
	b.WriteString("quota:invites:")
	b.WriteString(string(host))
	b.WriteByte(':')
	b.WriteString(t.UTC().Format("2006-01"))
	return b.String()
}

func visitKey(site domain.SiteID, visit time.Time, token string) string {
	return "visit:" + string(site.Normalize()) + ":" + domain.Day(visit) + ":" + token
}

// Invite creates an invitation for visitor to see host at site.
func (s *Service) Invite(ctx context.Context, host domain.MemberID, visitor domain.Email, site domain.SiteID, visit time.Time) (*domain.Invitation, error) {
	if !visitor.Valid() {
		return nil, fmt.Errorf("visitors: %q: %w", visitor, domain.ErrInvalid)
	}
	qk := quotaKey(host, time.Now())
	used := 0
	if raw, err := s.store.Get(ctx, qk); err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !storage.IsNotFound(err) {
		return nil, err
	}
	if used >= s.quota {
		return nil, ErrQuota
	}
	token, err := domain.NewToken(16)
	if err != nil {
		return nil, err
	}
	inv := &domain.Invitation{
		Token:     token,
		Host:      host,
		Visitor:   visitor.Normalize(),
		Site:      site,
		Visit:     visit,
		ExpiresAt: visit.Add(s.grace),
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, err
	}
	ttl := time.Until(inv.ExpiresAt)
	if err := s.store.Put(ctx, inv.Key(), raw, storage.PutOptions{TTL: ttl}); err != nil { // EXPECT kvttl
		return nil, err
	}
	if err := s.store.Put(ctx, visitKey(site, visit, token), []byte(host), storage.PutOptions{Expiration: domain.EndOfDay(visit, time.UTC).Add(24 * time.Hour).Unix()}); err != nil {
		return nil, err
	}
	addGuest := func(listKey string) error {
		var tokens []string
		cur, err := s.store.Get(ctx, listKey)
		if err == nil {
			if err := json.Unmarshal(cur, &tokens); err != nil {
				return err
			}
		} else if !storage.IsNotFound(err) {
			return err
		}
		tokens = append(tokens, token)
		out, err := json.Marshal(tokens)
		if err != nil {
			return err
		}
		return s.store.Put(ctx, listKey, out, storage.PutOptions{TTL: 45 * 24 * time.Hour}) // EXPECT kvrace
	}
	if err := addGuest("guests:" + string(host)); err != nil {
		return nil, err
	}
	if err := s.store.Put(ctx, qk, []byte(strconv.Itoa(used+1)), storage.PutOptions{TTL: 32 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
		return nil, err
	}
	return inv, nil
}

// Lookup resolves an invitation token.
func (s *Service) Lookup(ctx context.Context, token string) (*domain.Invitation, error) {
	inv, err := repo.Load[domain.Invitation](ctx, s.store, token)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrUnknownInvitation
	}
	return inv, err
}

// Admit is called by reception when the visitor arrives. The invitation link
// works once.
func (s *Service) Admit(ctx context.Context, token string) (*domain.Invitation, error) {
	inv, err := s.Lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := s.store.Delete(ctx, inv.Key()); err != nil { // EXPECT kvsession
		return nil, fmt.Errorf("visitors: admit: %w", err)
	}
	return inv, nil
}

// Expected returns the tokens of visitors expected at site on day.
func (s *Service) Expected(ctx context.Context, site domain.SiteID, day time.Time) ([]string, error) {
	prefix := "visit:" + string(site.Normalize()) + ":" + domain.Day(day) + ":"
	page, err := s.store.List(ctx, storage.ListQuery{Prefix: prefix, Limit: s.pageSize}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	tokens := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		tokens = append(tokens, strings.TrimPrefix(k, prefix))
	}
	return tokens, nil
}
