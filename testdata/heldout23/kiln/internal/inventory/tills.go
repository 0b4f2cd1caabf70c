package inventory

import (
	"encoding/json"
	"time"
)

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }

// Presence is a shop till's heartbeat.
type Presence struct {
	TillID   string    `json:"till_id"`
	StudioID string    `json:"studio_id"`
	Cashier  string    `json:"cashier"`
	At       time.Time `json:"at"`
}

// Tills records which shop tills are online. Heartbeats go through their own
// write-behind buffer so a burst of pings from one till becomes one write.
type Tills struct {
	buf *WriteBehind
}

// NewTills returns a presence tracker over buf.
func NewTills(buf *WriteBehind) *Tills { return &Tills{buf: buf} }

// Heartbeat records that a till is online.
func (t *Tills) Heartbeat(p Presence) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	t.buf.Submit("till:"+p.StudioID+":"+p.TillID, raw)
	return nil
}
