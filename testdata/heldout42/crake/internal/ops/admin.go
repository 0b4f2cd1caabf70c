package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
)

// Window is a maintenance window during which a city's fleet is pulled
// from service.
type Window struct {
	City  string    `json:"city"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Note  string    `json:"note,omitempty"`
}

// FleetConfig is the edge configuration edited by the operations team.
type FleetConfig struct {
	MaxSpeedKPH      int      `json:"maxSpeedKph"`
	UnlockFeeCents   int      `json:"unlockFeeCents"`
	MinuteCents      int      `json:"minuteCents"`
	DailyRideLimit   int      `json:"dailyRideLimit"`
	MaintenanceDepot []string `json:"maintenanceDepot"`
}

func defaultConfig() FleetConfig {
	return FleetConfig{MaxSpeedKPH: 20, UnlockFeeCents: 100, MinuteCents: 25, DailyRideLimit: 8}
}

// AddMaintenanceWindow schedules a window for a city.
func (c *Client) AddMaintenanceWindow(ctx context.Context, w Window) error {
	key := "maintenance:" + w.City
	var windows []Window
	raw, err := c.getRaw(ctx, c.ns.Fleet, key)
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &windows); err != nil {
			return fmt.Errorf("ops: %s: %w", key, err)
		}
	}
	kept := windows[:0]
	for _, old := range windows {
		if old.End.After(time.Now()) {
			kept = append(kept, old)
		}
	}
	kept = append(kept, w)
	b, _ := json.Marshal(kept)
	return c.put(ctx, c.ns.Fleet, key, c.valueParams(string(b))) // EXPECT kvrace
}

// LoadConfig returns the fleet configuration, or the defaults when none
// has been stored.
func (c *Client) LoadConfig(ctx context.Context, dst *FleetConfig) error {
	raw, err := c.getRaw(ctx, c.ns.Fleet, "config:fleet")
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		*dst = defaultConfig()
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// SeedConfig stores the default configuration in a new account.
func (c *Client) SeedConfig(ctx context.Context) (bool, error) {
	if _, err := c.getRaw(ctx, c.ns.Fleet, "config:fleet"); err == nil { // EXPECT kvnull
		return false, nil
	}
	b, _ := json.Marshal(defaultConfig())
	return true, c.put(ctx, c.ns.Fleet, "config:fleet", c.valueParams(string(b))) // DEBATABLE kvrace
}

// ReplaceConfig writes a complete configuration edited in the console.
func (c *Client) ReplaceConfig(ctx context.Context, cfg FleetConfig) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return c.put(ctx, c.ns.Fleet, "config:fleet", c.valueParams(string(b)))
}

// SetRiderLimit raises or lowers one rider's daily ride limit.
func (c *Client) SetRiderLimit(ctx context.Context, riderID string, limit int) error {
	return c.put(ctx, c.ns.Fleet, "rider-limit:"+riderID, c.valueParams(strconv.Itoa(limit)))
}

// RiderLimit reads one rider's daily ride limit; ok is false when the
// rider has the default.
func (c *Client) RiderLimit(ctx context.Context, riderID string) (limit int, ok bool, err error) {
	raw, err := c.getRaw(ctx, c.ns.Fleet, "rider-limit:"+riderID)
	if isNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	limit, err = strconv.Atoi(string(raw))
	return limit, err == nil, err
}

// PublishNotice shows a banner in the rider app for ttl, for example
// during a city-wide outage.
func (c *Client) PublishNotice(ctx context.Context, city, text string, ttl time.Duration) error {
	p := c.valueParams(text)
	p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	p.Metadata = cloudflare.F[any](map[string]string{"city": city, "posted": time.Now().UTC().Format(time.RFC3339)})
	return c.put(ctx, c.ns.Fleet, "notice:"+city, p)
}
