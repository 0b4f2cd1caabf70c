package portal

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"wigeon/internal/billing"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// Preferences are a portal customer's notification settings.
type Preferences struct {
	Channels  map[string]bool `json:"channels"`
	Locale    string          `json:"locale"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// DefaultPreferences are used for customers who never changed anything.
func DefaultPreferences() Preferences {
	return Preferences{Channels: map[string]bool{"email": true, "sms": false}, Locale: "en"}
}

// Branding is the tenant's portal look.
type Branding struct {
	Name    string `json:"name"`
	LogoURL string `json:"logo_url"`
	Accent  string `json:"accent"`
}

var defaultBranding = Branding{Name: "Billing portal", Accent: "#1f6feb"}

// Profiles holds per-customer preferences and per-tenant branding.
type Profiles struct {
	KV       *kvstore.Client
	DB       *billing.DB
	Keys     kvkeys.Keys
	BrandTTL time.Duration
}

func (p *Profiles) prefsKey(ctx context.Context) string {
	return kvkeys.Key(p.Keys.Env, "prefs", tenant.From(ctx), tenant.Customer(ctx))
}

// Preferences returns the signed-in customer's preferences.
func (p *Profiles) Preferences(ctx context.Context) (Preferences, error) {
	raw, err := p.KV.Get(ctx, p.prefsKey(ctx))
	var nf *kvstore.NotFoundError
	if errors.As(err, &nf) {
		return DefaultPreferences(), nil
	}
	if err != nil {
		return Preferences{}, err
	}
	var pr Preferences
	return pr, json.Unmarshal(raw, &pr)
}

// SetChannel turns one notification channel on or off.
func (p *Profiles) SetChannel(ctx context.Context, channel string, on bool) (Preferences, error) {
	key := p.prefsKey(ctx)
	var pr Preferences
	raw, err := p.KV.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		pr = DefaultPreferences()
	} else if err := json.Unmarshal(raw, &pr); err != nil {
		return pr, err
	}
	pr.Channels[channel] = on
	pr.UpdatedAt = time.Now().UTC()
	out, err := json.Marshal(pr)
	if err != nil {
		return pr, err
	}
	return pr, p.KV.Put(ctx, key, out) // EXPECT kvrace
}

// Branding returns the tenant's portal branding, cached from the billing
// database.
func (p *Profiles) Branding(ctx context.Context) (Branding, error) {
	key := p.Keys.Branding(tenant.From(ctx))
	raw, err := p.KV.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return Branding{}, err
	}
	if err == nil {
		var b Branding
		if err := json.Unmarshal(raw, &b); err == nil {
			return b, nil
		}
	}
	doc, err := p.DB.Branding(ctx, tenant.From(ctx))
	if errors.Is(err, billing.ErrNoRows) {
		return defaultBranding, nil
	}
	if err != nil {
		return Branding{}, err
	}
	if err := p.KV.PutTTL(ctx, key, doc, p.BrandTTL); err != nil {
		slog.WarnContext(ctx, "branding not cached", "err", err)
	}
	var b Branding
	return b, json.Unmarshal(doc, &b)
}

// BrandingFast is Branding for the login page: it never falls through to
// Postgres.
func (p *Profiles) BrandingFast(ctx context.Context) (Branding, error) {
	raw, err := p.KV.Get(ctx, p.Keys.Branding(tenant.From(ctx)))
	if err != nil {
		return Branding{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return defaultBranding, nil
	}
	var b Branding
	return b, json.Unmarshal(raw, &b)
}
