package kvsession

import (
	"encoding/json"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

type recordKind int

const (
	kindSession recordKind = iota
	kindProfile
)

func (k recordKind) prefix() string {
	switch k {
	case kindSession:
		return "sess"
	case kindProfile:
		return "prof"
	}
	return ""
}

// base is embedded by the stores of each kind of record.
type base struct {
	ns   *kv.Namespace
	kind recordKind
}

func (b base) KeyOf(parts ...string) string {
	return strings.Join(append([]string{b.kind.prefix()}, parts...), ":")
}

func (b base) remove(key string) error { return b.ns.Delete(key) }

type sessionStore struct{ base }

// Logout ends a session: its key's builder names nothing, the function
// and its package's store do.
func (s *sessionStore) Logout(sid string) error { // want Logout:"kvsession"
	return s.remove(s.KeyOf(sid)) // want `A session revoked or consumed by a KV delete`
}

type oauthLog struct{ ns *kv.Namespace }

// Quiet: an audit log of OAuth events is no OAuth state.
func (l *oauthLog) record(tenant, event string) error {
	key := "oauth-audit:" + tenant
	var entries []string
	if raw, err := l.ns.GetString(key, nil); err == nil && raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &entries)
	}
	raw, _ := json.Marshal(append(entries, event))
	return l.ns.PutString(key, string(raw), nil)
}
