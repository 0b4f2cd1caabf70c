package kvsession

import (
	"time"

	"kvlint.test/syumai033/handles"
)

// A token record behind a typed key handle that a constructor of this
// package makes, "tok:" + id, through the handle package's own.
type Token struct {
	ID       string
	LastUsed time.Time
	ns       *handles.Namespace
}

func TokenKey(ns *handles.Namespace, id string) handles.Key[Token] {
	return handles.NewKey[Token](ns, "tok:"+id)
}

// Touch stamps the token on every authenticated request.
func (t *Token) Touch() error { // want Touch:"kvsession"
	t.LastUsed = time.Now()
	return TokenKey(t.ns, t.ID).Store(*t, 3600) // want `A token changed and written back in KV`
}

// Callback spends an OAuth state read through a handle, deleting the key
// the handle names.
func Callback(ns *handles.Namespace, state string) (string, error) { // want Callback:"^kvsession$" Callback:"kvsession judged inside"
	key := handles.NewKey[string](ns, "oauth-state:"+state)
	v, err := key.Load()
	if err != nil {
		return "", err
	}
	if err := ns.Delete(key.Name()); err != nil { // want `An OAuth state or code revoked or consumed by a KV delete`
		return "", err
	}
	return v, nil
}

// A feature flag behind a handle is no credential.
func ClearFlag(ns *handles.Namespace, name string) error {
	key := handles.NewKey[bool](ns, "flag:"+name)
	return ns.Delete(key.Name())
}

// A second factor's code that keeps its own handle, spent on a match:
// the key's text is not known here, its type says what it holds.
type TwoFactorCode struct {
	Digest string
	key    handles.Key[TwoFactorCode]
}

func (c *TwoFactorCode) Redeem(attempt string) error { // want Redeem:"^kvsession$"
	if c.Digest != attempt {
		return nil
	}
	return c.key.Delete() // want `A one-time code revoked or consumed by a KV delete`
}
