package kvsession

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/keynames"
)

// Keys builds the keys of one tenant, as methods.
type Keys struct{ Tenant string }

func (k Keys) Session(id string) string { return k.Tenant + ":sess:" + id }
func (k Keys) CSRF(id string) string    { return k.Tenant + ":csrf:" + id }
func (k Keys) Thumb(id string) string   { return k.Tenant + ":thumb:" + id }
func (k Keys) Preview(id string) string { return k.Tenant + ":preview:" + id }

// The keys a sign-out removes, as method expressions.
var signOutKeys = []func(Keys, string) string{Keys.Session, Keys.CSRF}

func logOut(ns *kv.Namespace, k Keys, id string) error { // want logOut:"kvsession"
	var errs []error
	for _, keyOf := range signOutKeys {
		errs = append(errs, ns.Delete(keyOf(k, id))) // want `A session revoked or consumed by a KV delete`
	}
	return errors.Join(errs...)
}

// The sign-in artefacts a support console may remove one at a time, by
// kind, with the key functions of another package.
var purgeable = map[string]func(keynames.Keys, string) string{
	"magic": keynames.Keys.MagicLink,
	"oauth": keynames.Keys.OAuthState,
}

func purge(ns *kv.Namespace, k keynames.Keys, kind, id string) error { // want purge:"kvsession"
	keyOf, ok := purgeable[kind]
	if !ok {
		return errors.New("unknown kind")
	}
	return ns.Delete(keyOf(k, id)) // want `A magic link revoked or consumed by a KV delete`
}

// Quiet: the table's keys hold renderings, not credentials.
var renderings = []func(Keys, string) string{Keys.Thumb, Keys.Preview}

func dropRenderings(ns *kv.Namespace, k Keys, id string) error {
	var errs []error
	for _, keyOf := range renderings {
		errs = append(errs, ns.Delete(keyOf(k, id)))
	}
	return errors.Join(errs...)
}

var avatars = map[string]func(keynames.Keys, string) string{"avatar": keynames.Keys.Avatar}

// Quiet: a purge of an avatar.
func purgeAvatar(ns *kv.Namespace, k keynames.Keys, kind, user string) error {
	if keyOf, ok := avatars[kind]; ok {
		return ns.Delete(keyOf(k, user))
	}
	return nil
}

// A helper named for the revocation it does, given the key function by
// each caller: reported once, at its delete.
func revokeKeys(ns *kv.Namespace, k Keys, keyFn func(Keys, string) string, ids []string) error {
	var errs []error
	for _, id := range ids {
		errs = append(errs, ns.Delete(keyFn(k, id))) // want `A session revoked or consumed by a KV delete`
	}
	return errors.Join(errs...)
}

func signOutAll(ns *kv.Namespace, k Keys, sessions, forms []string) error { // want signOutAll:"kvsession"
	return errors.Join(
		revokeKeys(ns, k, Keys.Session, sessions),
		revokeKeys(ns, k, Keys.CSRF, forms),
	)
}

// The same with the verb in two words.
func logOutKeys(ns *kv.Namespace, k Keys, keyFn func(Keys, string) string, ids []string) error {
	for _, id := range ids {
		if err := ns.Delete(keyFn(k, id)); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

func logOutEverywhere(ns *kv.Namespace, k Keys, sessions []string) error { // want logOutEverywhere:"kvsession"
	return logOutKeys(ns, k, Keys.Session, sessions)
}

// A helper whose name says nothing of what it deletes: each caller's
// call is where the credential is named.
func dropKeys(ns *kv.Namespace, k Keys, keyFn func(Keys, string) string, ids []string) error {
	var errs []error
	for _, id := range ids {
		errs = append(errs, ns.Delete(keyFn(k, id)))
	}
	return errors.Join(errs...)
}

func endSessions(ns *kv.Namespace, k Keys, sessions []string) error { // want endSessions:"kvsession"
	return dropKeys(ns, k, Keys.Session, sessions) // want `A session revoked or consumed by a KV delete`
}
