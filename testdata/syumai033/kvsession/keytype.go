package kvsession

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

// A key that a value gives of itself is named by the value's type.

type deviceCode string

func (d deviceCode) Key() string { return "dc:" + string(d) }

type pendingGrant struct {
	Approved bool
	UserID   string
}

type grants struct{ ns *kv.Namespace }

func (g *grants) approve(dc deviceCode, user string) error { // want approve:"kvsession"
	raw, err := g.ns.GetString(dc.Key(), nil)
	if err != nil {
		return err
	}
	var p pendingGrant
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	p.Approved, p.UserID = true, user
	b, _ := json.Marshal(p)
	return g.ns.PutString(dc.Key(), string(b), nil) // want `A device code read, changed and written back in KV`
}

type shelfID string

func (s shelfID) Key() string { return "shelf:" + string(s) }

// Quiet here (kvrace's race): a shelf is no credential.
func (g *grants) restock(s shelfID, n int) error {
	raw, err := g.ns.GetString(s.Key(), nil)
	if err != nil {
		return err
	}
	var p pendingGrant
	_ = json.Unmarshal([]byte(raw), &p)
	p.UserID = "restocked"
	b, _ := json.Marshal(p)
	return g.ns.PutString(s.Key(), string(b), nil)
}
