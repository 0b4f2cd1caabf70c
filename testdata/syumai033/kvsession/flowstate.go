package kvsession

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// A sign-in flow's state, kept under "state:" and consumed at the
// callback: named by the flow, not by the key.
type SSO struct {
	ns *kv.Namespace
}

var errExpired = errors.New("login expired")

func (s *SSO) Start(state, verifier string) error {
	return s.ns.PutString("state:"+state, verifier, &kv.PutOptions{ExpirationTTL: 600})
}

func (s *SSO) Callback(state string) (string, error) { // want Callback:"^kvsession$"
	verifier, err := s.ns.GetString("state:"+state, nil)
	if err != nil || verifier == "<null>" {
		return "", errExpired
	}
	if err := s.ns.Delete("state:" + state); err != nil { // want `An OAuth state or code revoked or consumed by a KV delete`
		return "", err
	}
	return verifier, nil
}

// Quiet: a workflow's state, in no sign-in flow.
type Workflow struct {
	ns *kv.Namespace
}

func (w *Workflow) Reset(id string) error {
	if _, err := w.ns.GetString("state:"+id, nil); err != nil {
		return err
	}
	return w.ns.Delete("state:" + id)
}

// A key named by the scheme method that builds it, kept in a variable and
// given to a store that adds its own prefix.
type prefixed struct {
	ns     *kv.Namespace
	prefix string
}

func (p prefixed) Get(key string) (string, error) { return p.ns.GetString(p.prefix+key, nil) }
func (p prefixed) Delete(key string) error        { return p.ns.Delete(p.prefix + key) }

type keyScheme interface{ OAuthState(state string) string }

type hostSignIn struct {
	store prefixed
	keys  keyScheme
}

func (h *hostSignIn) Finish(state string) error { // want Finish:"^kvsession$" Finish:"kvsession judged inside"
	stateKey := h.keys.OAuthState(state)
	if _, err := h.store.Get(stateKey); err != nil {
		return err
	}
	return h.store.Delete(stateKey) // want `An OAuth state or code revoked or consumed by a KV delete`
}
