package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/store"
)

const settingsKey = "settings"

// Settings is a tenant's organiser profile.
type Settings struct {
	Name      string      `json:"name"`
	Timezone  string      `json:"tz"`
	Plan      config.Plan `json:"plan"`
	Theme     string      `json:"theme,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
}

// LoadSettings returns the tenant's settings, creating them from defaults on
// the tenant's first visit. st must already be scoped to the tenant.
func LoadSettings(ctx context.Context, st store.Store, defaults Settings) (Settings, error) {
	b, err := st.Get(ctx, settingsKey) // EXPECT kvnull
	if err != nil {
		s := defaults
		s.CreatedAt = time.Now().UTC()
		enc, merr := json.Marshal(s)
		if merr != nil {
			return s, merr
		}
		if perr := st.Put(ctx, settingsKey, enc, store.PutOptions{}); perr != nil {
			return s, fmt.Errorf("tenant: seed settings: %w", perr)
		}
		return s, nil
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return defaults, fmt.Errorf("tenant: decode settings: %w", err)
	}
	return s, nil
}
