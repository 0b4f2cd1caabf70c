// Package settings holds the registration system's tunables and exposes them
// to the dig container as named values.
package settings

import (
	"os"
	"strconv"
	"time"

	"go.uber.org/dig"
)

// Account identifies the Cloudflare account and the KV namespaces.
type Account struct {
	ID         string
	APIToken   string
	Sessions   string
	Seats      string
	Waitlists  string
	Terms      string
	Rosters    string
	Limits     string
	EdgeConfig string
}

// AccountFromEnv reads the namespace ids the deploy pipeline injects.
func AccountFromEnv() Account {
	return Account{
		ID:         os.Getenv("CF_ACCOUNT_ID"),
		APIToken:   os.Getenv("CF_API_TOKEN"),
		Sessions:   os.Getenv("KV_SESSIONS"),
		Seats:      os.Getenv("KV_SEATS"),
		Waitlists:  os.Getenv("KV_WAITLISTS"),
		Terms:      os.Getenv("KV_TERMS"),
		Rosters:    os.Getenv("KV_ROSTERS"),
		Limits:     os.Getenv("KV_LIMITS"),
		EdgeConfig: os.Getenv("KV_EDGE_CONFIG"),
	}
}

// Values is the result object that publishes every tunable under its name.
type Values struct {
	dig.Out

	SessionTTL     time.Duration `name:"session-ttl"`
	SessionIdle    time.Duration `name:"session-idle"`
	SessionPrefix  string        `name:"session-prefix"`
	WaitlistPrefix string        `name:"waitlist-prefix"`
	OfferTTL       time.Duration `name:"offer-ttl"`
	SettingsTTL    time.Duration `name:"settings-ttl"`
	DailyDrops     int           `name:"daily-drop-limit"`
	DailyAdds      int           `name:"daily-add-limit"`
	ExportPageSize int           `name:"export-page-size"`
	ExportMaxPages int           `name:"export-max-pages" optional:"true"`
}

// Provide builds the named values. A few can be overridden from the
// environment for load tests.
func Provide() Values {
	v := Values{
		SessionTTL:     8 * time.Hour,
		SessionIdle:    30 * time.Second, // EXPECT kvttl
		SessionPrefix:  "sess:",
		WaitlistPrefix: "wl:",
		OfferTTL:       4 * time.Hour,
		SettingsTTL:    15 * time.Minute,
		DailyDrops:     6,
		DailyAdds:      10,
		ExportPageSize: 1000,
		ExportMaxPages: 200,
	}
	if s := os.Getenv("KOKAKO_SETTINGS_TTL"); s != "" {
		if d, err := time.ParseDuration(s); err == nil {
			v.SettingsTTL = d
		}
	}
	if s := os.Getenv("KOKAKO_DAILY_ADDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			v.DailyAdds = n
		}
	}
	return v
}
