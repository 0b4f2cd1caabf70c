package kvsession

import (
	"encoding/json"
	"slices"

	"github.com/syumai/workers/cloudflare/kv"
)

// A portal whose namespace is named for the sessions it mostly holds.
type portal struct {
	SessionKV *kv.Namespace
}

// Quiet here: the key's own text names what it holds, a student's recent
// sections, not a session; its read-modify-write is kvrace's.
func (p *portal) rememberRecent(student, section string) {
	var recent []string
	if raw, err := p.SessionKV.GetString("recent:"+student, nil); err == nil && raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &recent)
	}
	recent = slices.DeleteFunc(recent, func(s string) bool { return s == section })
	recent = append([]string{section}, recent...)
	out, _ := json.Marshal(recent[:min(len(recent), 8)])
	_ = p.SessionKV.PutString("recent:"+student, string(out), nil)
}

// A key with no text of its own is named by the namespace it is in: a
// logout.
func (p *portal) logout(sid string) error { // want logout:"kvsession"
	return p.SessionKV.Delete(sid) // want `A session revoked or consumed by a KV delete`
}
