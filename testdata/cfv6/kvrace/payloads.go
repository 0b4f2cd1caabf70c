package kvrace

import (
	"context"
	"encoding/json"
	"time"
)

type alertMsg struct {
	Data []byte
}

type alert struct {
	Device      string `json:"device"`
	Fingerprint string `json:"fingerprint"`
	Severity    int    `json:"severity"`
}

// An alert recorded under its fingerprint unless one is there: the key
// is one field of the payload, the value all of it. Two deliveries can
// both find the key free, and both alert.
func (f *flags) onAlert(ctx context.Context, m *alertMsg) {
	var a alert
	if err := json.Unmarshal(m.Data, &a); err != nil {
		return
	}
	key := "alert:dedup:" + a.Fingerprint
	if _, err := f.read(ctx, key); err == nil {
		return
	} else if !isNotFound(err) {
		return
	}
	_ = f.writeFor(ctx, key, m.Data, (10 * time.Minute).Seconds()) // want `check-then-create on one KV key`
}

// Quiet: what is written is the fingerprint the key is named by, a mark
// that every delivery writes alike.
func (f *flags) markAlert(ctx context.Context, m *alertMsg) {
	var a alert
	if err := json.Unmarshal(m.Data, &a); err != nil {
		return
	}
	key := "alert:seen:" + a.Fingerprint
	if _, err := f.read(ctx, key); err == nil {
		return
	} else if !isNotFound(err) {
		return
	}
	_ = f.writeFor(ctx, key, []byte(a.Fingerprint), (10 * time.Minute).Seconds())
}
