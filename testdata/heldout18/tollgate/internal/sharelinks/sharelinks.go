// Package sharelinks publishes usage reports behind unguessable links that
// expire on their own.
package sharelinks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

var (
	ErrLifetime = errors.New("sharelinks: lifetime out of range")
	ErrExpired  = errors.New("sharelinks: link expired or unknown")
)

const prefix = "share:"

// Service creates and resolves share links.
type Service struct {
	st    storage.Store
	links *typed.Store[domain.LinkToken, domain.ShareLink]
	max   time.Duration
	now   func() time.Time
}

// New wires the service; links may live at most maxLifetime.
func New(st storage.Store, maxLifetime time.Duration) *Service {
	return &Service{st: st, links: typed.New[domain.LinkToken, domain.ShareLink](st, prefix), max: maxLifetime, now: time.Now}
}

func (s *Service) write(ctx context.Context, link domain.ShareLink, opts storage.PutOptions) error {
	raw, err := json.Marshal(link)
	if err != nil {
		return err
	}
	opts.Metadata = map[string]any{"tenant": string(link.TenantID), "report": link.ReportID}
	return s.st.Put(ctx, prefix+string(link.Token), raw, opts)
}

// Create publishes report for lifetime, which must be between an hour and
// the configured maximum.
func (s *Service) Create(ctx context.Context, tenant domain.TenantID, report string, lifetime time.Duration) (domain.ShareLink, error) {
	if lifetime < time.Hour || lifetime > s.max {
		return domain.ShareLink{}, fmt.Errorf("%w: %s", ErrLifetime, lifetime)
	}
	link := domain.ShareLink{
		Token: domain.LinkToken(domain.NewToken(16)), TenantID: tenant, ReportID: report,
		ExpiresAt: s.now().Add(lifetime).Truncate(time.Second),
	}
	return link, s.write(ctx, link, storage.PutOptions{Expiration: link.ExpiresAt.Unix()})
}

// Preview publishes a short-lived link for the dashboard's embedded viewer,
// which requests a new one every time it is opened.
func (s *Service) Preview(ctx context.Context, tenant domain.TenantID, report string) (domain.ShareLink, error) {
	link := domain.ShareLink{
		Token: domain.LinkToken(domain.NewToken(16)), TenantID: tenant, ReportID: report,
		ExpiresAt: s.now().Add(30 * time.Second),
	}
	return link, s.write(ctx, link, storage.PutOptions{
		Expiration: time.Now().Add(30 * time.Second).Unix(), // EXPECT kvttl
	})
}

// Open resolves a token and counts the view.
func (s *Service) Open(ctx context.Context, tok domain.LinkToken) (domain.ShareLink, error) {
	link, err := s.links.Get(ctx, tok)
	if storage.IsNotFound(err) {
		return domain.ShareLink{}, ErrExpired
	}
	if err != nil {
		return domain.ShareLink{}, err
	}
	remaining := link.ExpiresAt.Sub(s.now())
	if remaining <= 0 {
		return domain.ShareLink{}, ErrExpired
	}
	if remaining > 2*time.Minute {
		link.Views++
		if err := s.write(ctx, link, storage.PutOptions{Expiration: link.ExpiresAt.Unix()}); err != nil { // EXPECT kvcounter
			return link, err
		}
	}
	return link, nil
}
