// Package profiles serves public user profiles and the small bits of
// per-user state the edge needs.
package profiles

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"example.com/ops/internal/config"
	"example.com/ops/internal/kvstore"
)

// Profile is the public profile card.
type Profile struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name"`
	Bio         string   `json:"bio"`
	Badges      []string `json:"badges"`
}

// Service reads and updates profiles.
type Service struct {
	store     *kvstore.Store
	db        *sql.DB
	cdnSecret []byte
	cdnHost   string
}

// NewService returns a Service.
func NewService(store *kvstore.Store, db *sql.DB, cdnSecret []byte, cdnHost string) *Service {
	return &Service{store: store, db: db, cdnSecret: cdnSecret, cdnHost: cdnHost}
}

func profileKey(id string) string { return "profile:" + id }

func (s *Service) fromDB(ctx context.Context, id string) (*Profile, error) {
	var p Profile
	var badges []byte
	err := s.db.QueryRowContext(ctx,
		`SELECT id, display_name, bio, badges FROM profiles WHERE id = $1`, id).
		Scan(&p.ID, &p.DisplayName, &p.Bio, &badges)
	if err != nil {
		return nil, err
	}
	if len(badges) > 0 {
		_ = json.Unmarshal(badges, &p.Badges)
	}
	return &p, nil
}

// Get returns the profile for id.
func (s *Service) Get(ctx context.Context, id string) (*Profile, error) {
	raw, err := s.store.Get(ctx, profileKey(id))
	if err == nil {
		var p Profile
		if err := json.Unmarshal(raw, &p); err == nil {
			return &p, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		slog.Warn("profile cache read failed", "id", id, "err", err)
	}

	p, err := s.fromDB(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := s.store.Set(ctx, profileKey(id), b, config.ProfileTTL); err != nil {
		slog.Warn("profile cache write failed", "id", id, "err", err)
	}
	return p, nil
}

// Invalidate drops the cached profile after an edit in the account UI.
func (s *Service) Invalidate(ctx context.Context, id string) error {
	return s.store.Delete(ctx, profileKey(id))
}

// AddBadge awards a badge shown on the profile card.
func (s *Service) AddBadge(ctx context.Context, id, badge string) error {
	key := profileKey(id)
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("load profile %s: %w", id, err)
	}
	var p Profile
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	if slices.Contains(p.Badges, badge) {
		return nil
	}
	p.Badges = append(p.Badges, badge)
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.store.Set(ctx, key, b, config.ProfileTTL) // EXPECT kvrace
}

// SetPreferences merges patch into the user's UI preferences (theme, locale,
// density) that the edge uses to render the shell.
func (s *Service) SetPreferences(ctx context.Context, id string, patch map[string]string) error {
	return s.store.Update(ctx, "prefs:"+id, 0, func(old []byte) ([]byte, error) {
		prefs := map[string]string{}
		if old != nil {
			if err := json.Unmarshal(old, &prefs); err != nil {
				return nil, err
			}
		}
		maps.Copy(prefs, patch)
		return json.Marshal(prefs)
	})
}

func (s *Service) signAvatar(id string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	mac := hmac.New(sha256.New, s.cdnSecret)
	mac.Write([]byte(id + ":" + exp))
	return fmt.Sprintf("https://%s/avatars/%s?exp=%s&sig=%s", s.cdnHost, id, exp, hex.EncodeToString(mac.Sum(nil)))
}

// AvatarURL returns a signed CDN URL for the user's avatar.
func (s *Service) AvatarURL(ctx context.Context, id string) (string, error) {
	key := "avatar-url:" + id
	if raw, err := s.store.Get(ctx, key); err == nil {
		return string(raw), nil
	}
	// Signed URLs are valid for a minute; leave some slack so we never hand
	// out one that is about to expire.
	u := s.signAvatar(id, time.Now().Add(time.Minute))
	if err := s.store.Set(ctx, key, []byte(u), 45*time.Second); err != nil { // EXPECT kvttl
		slog.Warn("avatar url cache write failed", "id", id, "err", err)
	}
	return u, nil
}

// SharePreview stores a draft profile under a random code for the preview
// link shared with reviewers.
func (s *Service) SharePreview(ctx context.Context, code string, draft *Profile) error {
	b, err := json.Marshal(draft)
	if err != nil {
		return err
	}
	return s.store.SetUntil(ctx, "preview:"+code, b, time.Now().Add(config.PreviewLinkLifetime))
}

// MarkVerificationSent stops the "resend verification email" button from
// sending twice in a row.
func (s *Service) MarkVerificationSent(ctx context.Context, id string) error {
	return s.store.SetUntil(ctx, "verify-resend:"+id, []byte("1"),
		time.Now().Add(30*time.Second)) // EXPECT kvttl
}
