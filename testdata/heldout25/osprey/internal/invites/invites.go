// Package invites issues and redeems one-time invitation links.
package invites

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// raw is the namespace shared by the package-level helpers; set by Use.
var raw storage.Raw

// Use installs the namespace the package writes to.
func Use(r storage.Raw) { raw = r }

// Service issues and redeems invitations.
type Service interface {
	Create(ctx context.Context, inv domain.Invitation) (domain.Invitation, error)
	Resend(ctx context.Context, code string, until time.Time) error
	Redeem(ctx context.Context, code, email string) (domain.Invitation, error)
	Pending(ctx context.Context, project string) ([]string, error)
}

type service struct {
	store storage.Store[string, domain.Invitation]
	life  time.Duration
}

var _ Service = (*service)(nil)

// NewService returns the invitation service; life is the default validity.
func NewService(r storage.Raw, life time.Duration) Service {
	return &service{
		store: storage.NewTyped[string, domain.Invitation](r, codec.JSON[domain.Invitation]{}),
		life:  life,
	}
}

func inviteKey(code string) string { return "invites/" + code }
func projectIndexKey(project, code string) string {
	return fmt.Sprintf("invites-by-project/%s/%s", project, code)
}

func (s *service) Create(ctx context.Context, inv domain.Invitation) (domain.Invitation, error) {
	if inv.Project == "" || inv.Email == "" {
		return domain.Invitation{}, errors.New("project and email are required")
	}
	inv.Code = domain.NewID()
	if inv.ExpiresAt.IsZero() {
		inv.ExpiresAt = time.Now().Add(s.life)
	}
	ttl := max(time.Until(inv.ExpiresAt), 5*time.Second) // EXPECT kvttl
	if err := s.store.Put(ctx, inviteKey(inv.Code), inv, storage.WithTTL(ttl)); err != nil {
		return domain.Invitation{}, err
	}
	meta := struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}{inv.Email, inv.Role}
	err := raw.Put(ctx, projectIndexKey(inv.Project, inv.Code), nil,
		storage.WithTTL(max(time.Until(inv.ExpiresAt), time.Minute)),
		storage.WithMetadata(meta))
	return inv, err
}

// Resend extends an invitation that has not been used yet.
func (s *service) Resend(ctx context.Context, code string, until time.Time) error {
	inv, err := s.store.Get(ctx, inviteKey(code))
	if err != nil {
		return err
	}
	if until.Before(time.Now().Add(time.Hour)) {
		until = time.Now().Add(time.Hour)
	}
	fresh := domain.Invitation{
		Code: domain.NewID(), Project: inv.Project, Email: inv.Email,
		Role: inv.Role, InvitedBy: inv.InvitedBy, ExpiresAt: until,
	}
	return s.store.Put(ctx, inviteKey(fresh.Code), fresh, storage.WithTTL(time.Until(until)))
}

// Redeem consumes an invitation.
func (s *service) Redeem(ctx context.Context, code, email string) (domain.Invitation, error) {
	inv, err := s.store.Get(ctx, inviteKey(code))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Invitation{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.Invitation{}, err
	}
	if inv.Email != email {
		return domain.Invitation{}, domain.ErrForbidden
	}
	if err := s.store.Delete(ctx, inviteKey(code)); err != nil { // EXPECT kvsession
		return domain.Invitation{}, err
	}
	return inv, nil
}

// Pending lists the codes still outstanding for a project.
func (s *service) Pending(ctx context.Context, project string) ([]string, error) {
	var codes []string
	cursor := ""
	for {
		pg, err := raw.List(ctx, fmt.Sprintf("invites-by-project/%s/", project), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range pg.Keys {
			codes = append(codes, k.Name[len(k.Name)-32:])
		}
		if pg.Complete {
			return codes, nil
		}
		cursor = pg.Cursor
	}
}

// CountView records that an invitation page was opened.
func CountView(ctx context.Context, code string) (int, error) {
	key := fmt.Sprintf("invites/%s/views", code)
	n := 0
	b, err := raw.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(b)); err != nil {
			return 0, err
		}
	case !errors.Is(err, storage.ErrNotFound):
		return 0, err
	}
	n++
	return n, raw.Put(ctx, key, []byte(strconv.Itoa(n))) // EXPECT kvcounter
}
