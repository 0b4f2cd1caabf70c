package partners

import (
	"context"
	"encoding/json"

	"example.com/tundra/internal/storage"
	"example.com/tundra/internal/tenant"
)

// PartnerSettings are the knobs a partner controls in the portal.
type PartnerSettings struct {
	Timezone         string   `json:"timezone"`
	AlertThreshold   int      `json:"alert_threshold_pct"`
	AllowedOrigins   []string `json:"allowed_origins"`
	WeeklyDigest     bool     `json:"weekly_digest"`
	DataRegion       string   `json:"data_region"`
	TechnicalContact string   `json:"technical_contact"`
}

// DefaultSettings is what a new partner starts with.
func DefaultSettings() PartnerSettings {
	return PartnerSettings{Timezone: "UTC", AlertThreshold: 80, WeeklyDigest: true, DataRegion: "eu"}
}

// Settings stores PartnerSettings in the partner's tenant scope.
type Settings struct {
	Store storage.Store
}

// Load returns the partner's settings, initialising them on first use.
func (s *Settings) Load(ctx context.Context, partnerID string) (PartnerSettings, error) {
	st := tenant.Scope(s.Store, partnerID)
	raw, err := st.Get(ctx, "settings") // EXPECT kvnull
	if err != nil {
		def := DefaultSettings()
		raw, _ = json.Marshal(def)
		return def, st.Put(ctx, "settings", raw, storage.WriteOpts{})
	}
	var ps PartnerSettings
	if err := json.Unmarshal(raw, &ps); err != nil {
		return PartnerSettings{}, err
	}
	return ps, nil
}
