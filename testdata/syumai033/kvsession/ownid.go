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

func newSessionID() string { return "s-" + time.Now().Format("150405.000000000") }

// Quiet: a new session under a key drawn here, copied from the old one.
func reissue(ns *kv.Namespace, cookie string) (string, error) {
	raw, err := ns.GetString(dashboardKey(cookie), nil)
	if err != nil || raw == "<null>" {
		return "", errors.New("sign in required")
	}
	var old dashboardSession
	if err := json.Unmarshal([]byte(raw), &old); err != nil {
		return "", err
	}
	fresh := dashboardSession{ID: newSessionID(), User: old.User, LastSeen: time.Now()}
	b, _ := json.Marshal(fresh)
	return fresh.ID, ns.PutString(dashboardKey(fresh.ID), string(b), &kv.PutOptions{ExpirationTTL: 3600})
}
