// Package recstore keeps records that know their own key, loaded by a
// typed key (a fmt.Stringer) and saved by the record's own Key(): the
// shape of kvrace's one-store cases.
package recstore

import (
	"encoding/json"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"
)

// Keyed is a record that knows its own key.
type Keyed interface{ Key() string }

// Load decodes the record stored under key.
func Load[T Keyed](ns *kv.Namespace, key fmt.Stringer) (T, error) {
	var v T
	raw, err := ns.GetString(key.String(), nil)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal([]byte(raw), &v)
	return v, err
}

// Save stores v under its own key.
func Save[T Keyed](ns *kv.Namespace, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(v.Key(), string(raw), nil)
}

// Scope is a colon-separated key.
type Scope string

func (s Scope) String() string { return string(s) }

// Child returns the key below s named by parts.
func (s Scope) Child(parts ...string) Scope {
	for _, p := range parts {
		s += Scope(":" + p)
	}
	return s
}

// Get reads the string under key; ok is false when the key is missing.
func Get(ns *kv.Namespace, key fmt.Stringer) (string, bool, error) {
	v, err := ns.GetString(key.String(), nil)
	if err != nil || v == "<null>" {
		return "", false, err
	}
	return v, true, nil
}

// Put writes value under key.
func Put(ns *kv.Namespace, key fmt.Stringer, value string) error {
	return ns.PutString(key.String(), value, nil)
}

// Append adds a line to the log under the scope that id names.
func Append(ns *kv.Namespace, id, line string) error {
	k := Scope(id)
	old, _, err := Get(ns, k)
	if err != nil {
		return err
	}
	return Put(ns, k, old+line+"\n")
}

// SaveScoped stores v under its own key, as a Scope.
func SaveScoped[T Keyed](ns *kv.Namespace, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(Scope(v.Key()).String(), string(raw), nil)
}

// Forget deletes v under its own key.
func Forget[T Keyed](ns *kv.Namespace, v T) error {
	return ns.Delete(v.Key())
}
