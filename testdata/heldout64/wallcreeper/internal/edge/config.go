//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ClinicConfig is the public configuration of a clinic portal.
type ClinicConfig struct {
	ClinicID    string   `json:"clinic_id"`
	DisplayName string   `json:"display_name"`
	LoginHint   string   `json:"login_hint"`
	Locales     []string `json:"locales"`
}

// ClinicConfig reads the clinic's configuration through the KV cache, loading
// it from D1 on a miss.
func (n *Namespaces) ClinicConfig(ctx context.Context, db *sql.DB, clinicID string) (*ClinicConfig, error) {
	key := "clinic/" + clinicID
	var cfg ClinicConfig
	err := getJSON(n.Config, key, 300, &cfg)
	if err == nil {
		return &cfg, nil
	}
	if !errors.Is(err, ErrMissing) {
		return nil, err
	}
	var locales string
	row := db.QueryRowContext(ctx, `SELECT id, display_name, login_hint, locales FROM clinics WHERE id = ?`, clinicID)
	if err := row.Scan(&cfg.ClinicID, &cfg.DisplayName, &cfg.LoginHint, &locales); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(locales), &cfg.Locales)
	return &cfg, putJSON(n.Config, key, cfg, 10*time.Minute)
}

// FlagEnabled reads a published boolean flag at the edge.
func (n *Namespaces) FlagEnabled(clinicID, flag string) bool {
	var def struct {
		Enabled bool `json:"enabled"`
	}
	if err := getJSON(n.Config, "flags/"+clinicID+"/"+flag, 15, &def); err != nil { // EXPECT kvttl
		return false
	}
	return def.Enabled
}

// Banner returns the maintenance banner of a clinic, if any.
func (n *Namespaces) Banner(clinicID string) (string, error) {
	raw, err := n.Config.GetString("banner/"+clinicID, &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	if err != nil {
		return "", err
	}
	var b struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return "", nil
	}
	return b.Text, nil
}

// SetBanner shows a maintenance banner until the end of the maintenance
// window.
func (n *Namespaces) SetBanner(clinicID, text string, until time.Time) error {
	raw, _ := json.Marshal(map[string]string{"text": text})
	return n.Config.PutString("banner/"+clinicID, string(raw), &kv.PutOptions{
		Expiration: int(max(until.Unix(), time.Now().Add(2*time.Minute).Unix())),
	})
}

// SetShiftNotice shows a notice for the rest of the shift.
func (n *Namespaces) SetShiftNotice(clinicID, text string) error {
	return n.Config.PutString("notice/shift/"+clinicID, text, &kv.PutOptions{
		Expiration: int(time.Now().Add(12 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
}

// SnoozeReminder hides the "verify your phone" reminder for a short while.
func (n *Namespaces) SnoozeReminder(userID string) error {
	return n.Sessions.PutString("snooze/"+userID, "1", &kv.PutOptions{
		Expiration: int(time.Now().Unix() + 20), // EXPECT kvttl
	})
}

// CountView counts portal page views per clinic for the monthly report.
func (n *Namespaces) CountView(clinicID string) error {
	key := "views/" + clinicID + "/" + time.Now().UTC().Format("2006-01")
	v, err := n.Audit.GetString(key, nil)
	if err != nil {
		return err
	}
	count := 0
	if v != jsNull {
		count, _ = strconv.Atoi(v)
	}
	return n.Audit.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvcounter
}
