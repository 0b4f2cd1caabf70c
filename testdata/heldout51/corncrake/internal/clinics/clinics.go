// Package clinics manages the clinic directory: portal slugs, per-clinic
// settings, single sign-on for clinic staff and the LIS upload tokens.
package clinics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
)

// Settings are a clinic's portal preferences.
type Settings struct {
	DisplayName string   `json:"display_name"`
	Timezone    string   `json:"timezone"`
	AutoRelease []string `json:"auto_release"` // panels released without review
	NotifyEmail string   `json:"notify_email"`
	Theme       string   `json:"theme"`
}

// SettingsPatch changes the non-nil fields.
type SettingsPatch struct {
	DisplayName *string
	Timezone    *string
	AutoRelease []string
	NotifyEmail *string
	Theme       *string
}

var (
	ErrSlugTaken   = errors.New("clinics: slug already taken")
	ErrNoSuchState = errors.New("clinics: unknown or expired sign-in state")
	ErrNoClinic    = errors.New("clinics: unknown clinic")
)

// Directory is the clinic directory, kept in the global namespace.
type Directory struct {
	st kvstore.Store
}

// NewDirectory binds the directory to its store.
func NewDirectory(st kvstore.Store) *Directory { return &Directory{st: st} }

func settingsKey(clinicID string) string { return "settings:" + clinicID }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ClaimSlug reserves the portal slug (acme-labs.results.example.com) for a
// clinic during onboarding.
func (d *Directory) ClaimSlug(ctx context.Context, slug, clinicID string) error {
	key := "slug:" + strings.ToLower(strings.TrimSpace(slug))
	r := d.st.Get(ctx, key)
	if r.Err != nil {
		return r.Err
	}
	if r.Val.Found && string(r.Val.Value) != clinicID {
		return ErrSlugTaken
	}
	return d.st.Put(ctx, key, []byte(clinicID), kvstore.PutOptions{}) // EXPECT kvrace
}

// ResolveSlug maps a slug to a clinic id.
func (d *Directory) ResolveSlug(ctx context.Context, slug string) (kvstore.Optional[string], error) {
	r := d.st.Get(ctx, "slug:"+strings.ToLower(slug))
	if r.Err != nil {
		return kvstore.None[string](), r.Err
	}
	if !r.Val.Found {
		return kvstore.None[string](), nil
	}
	return kvstore.Some(string(r.Val.Value)), nil
}

// Settings reads a clinic's settings.
func (d *Directory) Settings(ctx context.Context, clinicID string) (Settings, error) {
	r := d.st.Get(ctx, settingsKey(clinicID))
	if r.Err != nil {
		return Settings{}, r.Err
	}
	if !r.Val.Found {
		return Settings{}, ErrNoClinic
	}
	var s Settings
	err := json.Unmarshal(r.Val.Value, &s)
	return s, err
}

// ReplaceSettings stores the full settings document from the admin form.
func (d *Directory) ReplaceSettings(ctx context.Context, clinicID string, s Settings) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return d.st.Put(ctx, settingsKey(clinicID), raw, kvstore.PutOptions{})
}

// UpdateSettings applies a partial change from the clinic's settings page.
func (d *Directory) UpdateSettings(ctx context.Context, clinicID string, p SettingsPatch) error {
	s, err := d.Settings(ctx, clinicID)
	if err != nil {
		return err
	}
	if p.DisplayName != nil {
		s.DisplayName = *p.DisplayName
	}
	if p.Timezone != nil {
		s.Timezone = *p.Timezone
	}
	if p.AutoRelease != nil {
		s.AutoRelease = p.AutoRelease
	}
	if p.NotifyEmail != nil {
		s.NotifyEmail = *p.NotifyEmail
	}
	if p.Theme != nil {
		s.Theme = *p.Theme
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return d.st.Put(ctx, settingsKey(clinicID), raw, kvstore.PutOptions{}) // EXPECT kvrace
}

// EnsureDefaults gives a newly onboarded clinic a settings document.
func (d *Directory) EnsureDefaults(ctx context.Context, clinicID, name string) error {
	r := d.st.Get(ctx, settingsKey(clinicID)) // EXPECT kvnull
	if r.Err == nil && r.Val.Found {
		return nil
	}
	raw, _ := json.Marshal(Settings{DisplayName: name, Timezone: "UTC", Theme: "default"})
	return d.st.Put(ctx, settingsKey(clinicID), raw, kvstore.PutOptions{})
}

type ssoState struct {
	ClinicID string `json:"clinic_id"`
	ReturnTo string `json:"return_to"`
}

// BeginSSO starts an OIDC sign-in for clinic staff and returns the state
// parameter.
func (d *Directory) BeginSSO(ctx context.Context, clinicID, returnTo string) (string, error) {
	state := randomHex(16)
	raw, _ := json.Marshal(ssoState{ClinicID: clinicID, ReturnTo: returnTo})
	if err := d.st.Put(ctx, "oauth-state:"+state, raw, kvstore.PutOptions{TTL: config.OAuthStateTTL}); err != nil {
		return "", err
	}
	return state, nil
}

// FinishSSO validates the state parameter of the IdP callback.
func (d *Directory) FinishSSO(ctx context.Context, state string) (clinicID, returnTo string, err error) {
	key := "oauth-state:" + state
	r := d.st.Get(ctx, key)
	if r.Err != nil {
		return "", "", r.Err
	}
	if !r.Val.Found {
		return "", "", ErrNoSuchState
	}
	var s ssoState
	if err := json.Unmarshal(r.Val.Value, &s); err != nil {
		return "", "", err
	}
	if err := d.st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return s.ClinicID, s.ReturnTo, nil
}

// RotateUploadToken issues a new LIS upload token and retires the old one.
func (d *Directory) RotateUploadToken(ctx context.Context, clinicID, oldToken string) (string, error) {
	tok := "lis_" + randomHex(24)
	if err := d.st.Put(ctx, "apitoken:"+tok, []byte(clinicID), kvstore.PutOptions{}); err != nil {
		return "", err
	}
	if oldToken != "" {
		if err := d.st.Delete(ctx, "apitoken:"+oldToken); err != nil { // EXPECT kvsession
			return "", err
		}
	}
	return tok, nil
}

// ClinicForToken authenticates an LIS upload.
func (d *Directory) ClinicForToken(ctx context.Context, tok string) (kvstore.Optional[string], error) {
	r := d.st.Get(ctx, "apitoken:"+tok)
	if r.Err != nil {
		return kvstore.None[string](), r.Err
	}
	return kvstore.Optional[string]{Value: string(r.Val.Value), Found: r.Val.Found}, nil
}
