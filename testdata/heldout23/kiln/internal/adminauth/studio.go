package adminauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Profile is a studio's editable profile.
type Profile struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	City      string    `json:"city"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Invite lets a new instructor join a studio's staff.
type Invite struct {
	StudioID string `json:"studio_id"`
	Email    string `json:"email"`
	Role     string `json:"role"`
}

// inviteLifetime is how long an emailed staff invitation stays valid.
const inviteLifetime = 72 * time.Hour

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// ErrSlugTaken is returned when another studio owns the slug.
var ErrSlugTaken = errors.New("adminauth: slug is taken")

// ClaimSlug reserves a public URL slug during studio sign-up.
func (s *Service) ClaimSlug(ctx context.Context, studioID, slug string) error {
	if !slugRE.MatchString(slug) {
		return errors.New("adminauth: invalid slug")
	}
	key := "slug:" + slug
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err == nil {
		res.Body.Close()
		return ErrSlugTaken
	}
	if !notFound(err) {
		return err
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(studioID),
	})
	return err
}

// Profile returns a studio's profile for the settings page.
func (s *Service) Profile(ctx context.Context, studioID string) (*Profile, error) {
	res, _ := s.cf.KV.Namespaces.Values.Get(ctx, s.namespaceID, "profile:"+studioID, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}) // EXPECT kvnull
	defer res.Body.Close()
	var p Profile
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// SaveProfile replaces a studio's profile with the submitted form.
func (s *Service) SaveProfile(ctx context.Context, p *Profile) error {
	p.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "profile:"+p.ID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F[any](map[string]any{"name": p.Name, "city": p.City}),
	})
	return err
}

// InviteStaff stores an invitation and returns its token.
func (s *Service) InviteStaff(ctx context.Context, inv Invite) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	raw, _ := json.Marshal(inv)
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "invite:"+token, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(inviteLifetime)), // EXPECT kvttl
	})
	return token, err
}

// CloseStudio marks a studio as closed; the marker is kept for a year so
// past bookings still resolve.
func (s *Service) CloseStudio(ctx context.Context, studioID string) error {
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.namespaceID, "closed:"+studioID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F((365 * 24 * time.Hour).Seconds()),
	})
	return err
}
