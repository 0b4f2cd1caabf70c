package kvrace

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// loadJSON decodes key into v and says whether it was there.
func loadJSON(ns *kv.Namespace, key string, v any) (bool, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if raw == "<null>" {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), v)
}

func saveJSON(ns *kv.Namespace, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 600})
}

// Quiet: a read-through cache. The put runs only where the get found
// nothing, and the variable it would have decoded into is filled from the
// origin.
func regionDirectory(ns *kv.Namespace, fetch func(any) error) (map[string][]string, error) {
	var dir map[string][]string
	if ok, err := loadJSON(ns, "directory", &dir); err != nil || ok {
		return dir, err
	}
	if err := fetch(&dir); err != nil {
		return nil, err
	}
	return dir, saveJSON(ns, "directory", dir)
}

// A record read, changed and written back is a race all the same.
func renameFleet(ns *kv.Namespace, id, name string) error {
	var fleet struct{ Name string }
	if _, err := loadJSON(ns, "fleet:"+id, &fleet); err != nil {
		return err
	}
	fleet.Name = name
	return saveJSON(ns, "fleet:"+id, fleet) // want `read-modify-write on one KV key`
}

// A name claimed for this request's owner is a claim.
func claimMoniker(ns *kv.Namespace, handle, owner string) error {
	key := "moniker:" + handle
	cur, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != "<null>" {
		return errTaken
	}
	return ns.PutString(key, owner, nil) // want `check-then-create on one KV key`
}

// A test of what was read is no found flag: the link is read, changed and
// written back.
func revokeLink(ns *kv.Namespace, token string) error {
	var link struct{ RevokedAt *time.Time }
	if ok, err := loadJSON(ns, "link:"+token, &link); err != nil || !ok {
		return err
	}
	if link.RevokedAt != nil {
		return nil
	}
	now := time.Now()
	link.RevokedAt = &now
	return saveJSON(ns, "link:"+token, link) // want `read-modify-write on one KV key`
}
