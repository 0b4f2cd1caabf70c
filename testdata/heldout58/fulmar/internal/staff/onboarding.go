package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/kvstore"
)

// ErrSlugTaken is returned when a venue slug belongs to someone else.
var ErrSlugTaken = errors.New("staff: slug taken")

// Registry is the accounts database, the source of truth for venue slugs.
type Registry interface {
	ReserveSlug(ctx context.Context, slug, owner string) error
}

type claim struct {
	Owner   string    `json:"owner"`
	Claimed time.Time `json:"claimed"`
}

// ClaimSlug gives a new venue its public slug (the menu subdomain).
func (s *Service) ClaimSlug(ctx context.Context, slug, owner string) error {
	key := "slug:" + slug
	_, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	body := lo.Must(json.Marshal(claim{owner, time.Now()}))
	return s.store.Put(ctx, kvstore.Entry{Key: key, Value: body}) // EXPECT kvrace
}

// PublishSlug reserves the slug in the accounts database and then publishes
// the mapping to KV for the edge.
func (s *Service) PublishSlug(ctx context.Context, reg Registry, slug, owner string) error {
	if err := reg.ReserveSlug(ctx, slug, owner); err != nil {
		return err
	}
	body := lo.Must(json.Marshal(claim{owner, time.Now()}))
	return s.store.Put(ctx, kvstore.Entry{Key: "slug:" + slug, Value: body})
}

// Invite creates an invitation code for a new staff member.
func (s *Service) Invite(ctx context.Context, venue, email string) (string, error) {
	code := randomID(12)
	g := grant{"invite:" + code, []byte(venue + "|" + email), 72 * time.Hour}
	return code, kvstore.PutFor(ctx, s.store, g.key, g.body, g.life)
}

// ShareScreen creates a short code a manager types on the kitchen tablet to
// mirror their screen.
func (s *Service) ShareScreen(ctx context.Context, staffID string) (string, error) {
	code := randomID(4)
	g := grant{"screen:" + code, []byte(staffID), 45 * time.Second} // EXPECT kvttl
	return code, kvstore.PutFor(ctx, s.store, g.key, g.body, g.life)
}

// Routes for password resets.
func (s *Service) ResetRoutes(r chi.Router) {
	r.Post("/staff/reset", s.handleReset)
}

func (s *Service) handleReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := r.FormValue("email")
	limitKey := fmt.Sprintf("ratelimit:reset:%s", email)
	if _, err := s.store.Get(ctx, limitKey); err == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	_ = s.store.Put(ctx, kvstore.Entry{Key: limitKey, Value: []byte("1"), TTL: 3600}) // EXPECT kvcounter
	staffID, err := s.dir.ByEmail(ctx, email)
	if err != nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	token := randomID(24)
	_ = kvstore.PutFor(ctx, s.store, "reset:"+token, []byte(staffID), time.Hour) // DEBATABLE kvsession
	w.WriteHeader(http.StatusAccepted)
}
