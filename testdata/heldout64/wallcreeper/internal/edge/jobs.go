//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// AuditEvent is one message of the audit queue.
type AuditEvent struct {
	ClinicID string    `json:"clinic_id"`
	UserID   string    `json:"user_id"`
	DeviceID string    `json:"device_id"`
	Action   string    `json:"action"`
	At       time.Time `json:"at"`
}

// AppendAudit appends an event line to the clinic's daily access log.
func (n *Namespaces) AppendAudit(ev AuditEvent) error {
	key := fmt.Sprintf("auditlog/%s/%s", ev.ClinicID, ev.At.UTC().Format("2006-01-02"))
	old, err := n.Audit.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == jsNull {
		old = ""
	}
	line := fmt.Sprintf("%s %s %s %s\n", ev.At.UTC().Format(time.RFC3339), ev.UserID, ev.DeviceID, ev.Action)
	return n.Audit.PutString(key, old+line, &kv.PutOptions{ExpirationTTL: 400 * 24 * 3600}) // EXPECT kvrace
}

// MarkDeviceSeen records the last activity of a device; one key per device.
func (n *Namespaces) MarkDeviceSeen(ev AuditEvent) error {
	raw, _ := json.Marshal(ev)
	return n.Audit.PutString("device/"+ev.DeviceID, string(raw), &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600})
}

// SweepSessions deletes the sessions of devices that were decommissioned.
// It follows the cursor until the listing is exhausted.
func (n *Namespaces) SweepSessions(decommissioned map[string]bool) (int, error) {
	removed := 0
	opts := &kv.ListOptions{Prefix: "sess/"}
	for {
		res, err := n.Sessions.List(opts) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			var s DeviceSession
			if err := getJSON(n.Sessions, k.Name, 0, &s); err != nil { // EXPECT kvlist
				continue
			}
			if decommissioned[s.DeviceID] {
				if err := n.Sessions.Delete(k.Name); err == nil {
					removed++
				}
			}
		}
		opts = &kv.ListOptions{Prefix: "sess/", Cursor: res.Cursor}
	}
	return removed, nil
}

// ExpireBanners removes banners of clinics that were closed.
func (n *Namespaces) ExpireBanners(closed map[string]bool) error {
	opts := &kv.ListOptions{Prefix: "banner/", Limit: 1000}
	for page := 0; page < 10; page++ {
		res, err := n.Config.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if closed[strings.TrimPrefix(k.Name, "banner/")] {
				_ = n.Config.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// ExpiringDevices returns devices whose record expires within a day, using
// the expiration that the listing carries. It reads a bounded number of pages.
func (n *Namespaces) ExpiringDevices(maxPages int) ([]string, error) {
	var out []string
	opts := &kv.ListOptions{Prefix: "device/", Limit: 1000}
	soon := time.Now().Add(24 * time.Hour).Unix()
	for range maxPages {
		res, err := n.Audit.List(opts)
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && int64(k.Expiration) < soon {
				out = append(out, strings.TrimPrefix(k.Name, "device/"))
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "device/", Limit: 1000, Cursor: res.Cursor}
	}
	return out, nil
}

// ActiveClinics lists clinics with a configuration entry, for the cron
// summary.
func (n *Namespaces) ActiveClinics() ([]string, error) {
	res, err := n.Config.List(&kv.ListOptions{Prefix: "clinic/", Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "clinic/"))
	}
	if !res.ListComplete {
		return ids, fmt.Errorf("more than one page of clinics")
	}
	return ids, nil
}
