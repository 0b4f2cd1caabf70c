// Package config reads service configuration from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Config is shared by the API, the cron runner and the admin tool.
type Config struct {
	AccountID, APIToken, KeyPrefix, Listen, Season string
	Regions                                        []string

	MainNamespace, SessionNamespace, NonceNamespace, HotNamespace, ColdNamespace string

	HoldSeconds, SessionHours, RefreshDays, InviteSeconds, LockSeconds, CronTickSeconds int
}

// Load reads the environment. Missing required values are reported together.
func Load() (Config, error) {
	var missing []string
	str := func(name, def string, required bool) string {
		v := os.Getenv(name)
		if v == "" && required {
			missing = append(missing, name)
		}
		if v == "" {
			return def
		}
		return v
	}
	c := Config{
		AccountID:        str("CF_ACCOUNT_ID", "", true),
		APIToken:         str("CF_API_TOKEN", "", true),
		MainNamespace:    str("KV_MAIN", "", true),
		SessionNamespace: str("KV_SESSIONS", "", true),
		NonceNamespace:   str("KV_NONCES", "", true),
		HotNamespace:     str("KV_HOT", "", false),
		ColdNamespace:    str("KV_COLD", "", false),
		KeyPrefix:        str("KEY_PREFIX", "prod:", false),
		Listen:           str("LISTEN", ":8080", false),
		Season:           str("SEASON", "s1", false),
		Regions:          strings.Split(str("REGIONS", "eu,na,apac", false), ","),
	}
	for _, f := range []struct {
		name string
		def  int
		dst  *int
	}{
		{"HOLD_SECONDS", 90, &c.HoldSeconds},
		{"SESSION_HOURS", 12, &c.SessionHours},
		{"REFRESH_DAYS", 30, &c.RefreshDays},
		{"INVITE_SECONDS", 86400, &c.InviteSeconds},
		{"LOCK_SECONDS", 60, &c.LockSeconds},
		{"CRON_TICK_SECONDS", 300, &c.CronTickSeconds},
	} {
		n, err := strconv.Atoi(str(f.name, strconv.Itoa(f.def), false))
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", f.name, err)
		}
		*f.dst = n
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("config: missing %s", strings.Join(missing, ", "))
	}
	return c, nil
}
