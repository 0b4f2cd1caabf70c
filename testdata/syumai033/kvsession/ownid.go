package kvsession

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type dashboardSession struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	LastSeen time.Time `json:"last_seen"`
}

func dashboardKey(id string) string { return "dash-session:" + id }

// The session is read by the cookie's id and written back under its own
// id, the same key: a sliding expiry on every request.
func extend(ns *kv.Namespace, cookie string) error { // want extend:"kvsession"
	raw, err := ns.GetString(dashboardKey(cookie), nil)
	if err != nil || raw == "<null>" {
		return errors.New("sign in required")
	}
	var sess dashboardSession
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return err
	}
	sess.LastSeen = time.Now()
	b, _ := json.Marshal(sess)
	return ns.PutString(dashboardKey(sess.ID), string(b), &kv.PutOptions{ExpirationTTL: 3600}) // want `A session read, changed and written back in KV`
}
