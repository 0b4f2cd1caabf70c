package kvsession

import (
	"encoding/json"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

type profile struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (m *profile) Key() string { return "member:" + m.ID }

type webSession struct {
	Member string
}

// Quiet: the member's profile, found through the session, is not the
// session (a race, kvrace's to report).
func rename(ns *kv.Namespace, sess *webSession, name string) error {
	key := (&profile{ID: sess.Member}).Key()
	cur, err := ns.GetString(key, nil)
	if err != nil || cur == "<null>" {
		return errors.New("no such member")
	}
	var m profile
	if err := json.Unmarshal([]byte(cur), &m); err != nil {
		return err
	}
	m.Name = name
	out, _ := json.Marshal(m)
	return ns.PutString(key, string(out), nil)
}
