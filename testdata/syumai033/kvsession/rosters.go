package kvsession

import (
	"encoding/json"
	"slices"

	"github.com/syumai/workers/cloudflare/kv"
)

type roomToken struct {
	Visit       string
	Participant string
}

// Quiet: a visit's roster, filtered with a function that compares each
// entry with the leaver's token, is a list of participants (its race is
// kvrace's), not the token.
func leaveRoom(ns *kv.Namespace, tok roomToken) error {
	key := "visit-participants:" + tok.Visit
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var present []string
	if err := json.Unmarshal([]byte(raw), &present); err != nil {
		return err
	}
	present = slices.DeleteFunc(present, func(p string) bool { return p == tok.Participant })
	b, err := json.Marshal(present)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), nil)
}
